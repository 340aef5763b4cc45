import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import type { DestinationStream } from "pino";
import { createLogger, setLogger } from "@/lib/log";
import { createToken, createUser } from "@/lib/services";
import { system } from "@/test/db";
import { startTestServer, type TestServer } from "@/test/server";

let s: TestServer;
beforeAll(async () => (s = await startTestServer()));
afterAll(() => s.close());
afterEach(() => setLogger(createLogger({ level: "silent" })));

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination: DestinationStream = {
    write(chunk: string) {
      for (const l of chunk.split("\n")) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
    },
  };
  setLogger(createLogger({ level: "info", destination }));
  return lines;
}

test("the request line names a person by id (with or without a display name, whatever its text) and an agent by name", async () => {
  const lines = capture();
  const plain = s.person("viewer");
  // What `agentdesk user create` makes: no display name at all.
  const noName = createUser({ db: s.db, actor: system }, { email: "nameless@example.com", role: "viewer", passwordHash: "scrypt$test$not-a-real-hash-000" });
  const noNameToken = createToken({ db: s.db, actor: system }, { userId: noName.id, label: "t" }).token;
  // A display name is free text its owner chose: it must not stand for them in the log.
  const mimic = createUser({ db: s.db, actor: system }, { email: "mimic@example.com", name: "agent:backend-developer", role: "viewer", passwordHash: "scrypt$test$not-a-real-hash-000" });
  const mimicToken = createToken({ db: s.db, actor: system }, { userId: mimic.id, label: "t" }).token;
  const agent = s.agentToken("backend-developer").token;

  const calls: [string, { token?: string; cookie?: string }, string][] = [
    ["req-person-token", { token: plain.token }, `person:${plain.actor.id}`],
    ["req-person-cookie", { cookie: plain.cookie }, `person:${plain.actor.id}`],
    ["req-person-nameless", { token: noNameToken }, `person:${noName.id}`],
    ["req-person-mimic", { token: mimicToken }, `person:${mimic.id}`],
    ["req-agent", { token: agent }, "agent:backend-developer"],
  ];
  for (const [id, auth] of calls) expect((await s.request("/api/v1/me", { ...auth, headers: { "x-request-id": id } })).status).toBe(200);
  await new Promise((r) => setTimeout(r, 250)); // the batch reaches the destination within 100 ms
  for (const [id, , actor] of calls) {
    const line = lines.find((l) => l.requestId === id);
    expect(line, id).toMatchObject({ msg: "request", path: "/api/v1/me", status: 200, actor });
  }
  // Unauthenticated requests carry no actor at all.
  await s.request("/api/v1/me", { headers: { "x-request-id": "req-anon" } });
  await new Promise((r) => setTimeout(r, 250));
  expect(lines.find((l) => l.requestId === "req-anon")).not.toHaveProperty("actor");
});
