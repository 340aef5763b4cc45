import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { v1OpenApiDocument } from "@/lib/http/v1";
import { claimTask, createInstruction, createTask, sendMessage, submitOutput } from "@/lib/services";
import { system } from "@/test/db";
import { countRows, json, startTestServer, type TestServer } from "@/test/server";

/**
 * Names that are properties of every plain object. Used as a query parameter, a body field or a path
 * segment, each must come back as an ordinary 4xx problem (an unknown field, an unknown id), never
 * as a 500 from a dictionary that was a plain object.
 */
const NAMES = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "isPrototypeOf"];

type Op = { method: string; path: string; hasQuery: boolean; hasBody: boolean; params: string[] };

let s: TestServer;
let admin: ReturnType<TestServer["person"]>;
let agent: string;
let ids: Record<string, string>;

beforeAll(async () => {
  s = await startTestServer();
  admin = s.person("admin");
  agent = s.agentToken("backend-developer").token;
  const sys = { db: s.db, actor: system };
  const be = { db: s.db, actor: { kind: "agent" as const, name: "backend-developer" } };
  const inst = createInstruction(sys, { title: "Built-in names" });
  const task = createTask(sys, { instructionId: inst.id, title: "T", assignedAgent: "backend-developer" });
  claimTask(be, { taskId: task.id });
  const output = submitOutput(be, { taskId: task.id, format: "text", content: "v1" });
  const message = sendMessage(sys, { to: "backend-developer", body: "hi", taskId: task.id });
  ids = {
    taskId: task.id,
    position: "1",
    outputId: output.id,
    messageId: message.id,
    threadId: message.threadId,
    instructionId: inst.id,
    agentName: "backend-developer",
    tokenId: "tok_nope",
    userId: "usr_nope",
    runId: "run_nope",
  };
});
afterAll(() => s.close());

function operations(): Op[] {
  const doc = v1OpenApiDocument() as unknown as {
    paths: Record<string, Record<string, { parameters?: { in: string; name: string }[]; requestBody?: unknown }>>;
  };
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      hasQuery: (op.parameters ?? []).some((p) => p.in === "query"),
      hasBody: op.requestBody !== undefined,
      params: (op.parameters ?? []).filter((p) => p.in === "path").map((p) => p.name),
    })),
  );
}

const fill = (path: string, values: Record<string, string>) => `/api/v1${path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? "x"))}`;

async function expectProblem(res: Response, what: string, status?: number) {
  const text = await res.text();
  expect(res.status, `${what}: ${text}`).toBeGreaterThanOrEqual(400);
  expect(res.status, `${what}: ${text}`).toBeLessThan(500);
  if (status) expect(res.status, `${what}: ${text}`).toBe(status);
  expect(res.headers.get("content-type"), what).toBe("application/problem+json");
  return JSON.parse(text);
}

describe("built-in property names as input are ordinary bad input", () => {
  test("the OpenAPI document has strict query and body routes to try", () => {
    const ops = operations();
    expect(ops.filter((o) => o.hasQuery).length).toBeGreaterThan(5);
    expect(ops.filter((o) => o.hasBody).length).toBeGreaterThan(20);
  });

  for (const who of ["admin", "agent"] as const) {
    test(`as ${who}: every route with a query schema refuses each name as a query parameter (422, named in fields)`, async () => {
      const token = who === "admin" ? admin.token : agent;
      const before = countRows(s.db);
      for (const op of operations().filter((o) => o.hasQuery)) {
        for (const name of NAMES) {
          const body = op.hasBody ? {} : undefined;
          const res = await s.request(`${fill(op.path, ids)}?${encodeURIComponent(name)}=1`, { method: op.method, token, body });
          const p = await expectProblem(res, `${op.method} ${op.path}?${name}=1`, 422);
          expect(p.code).toBe("validation_failed");
          expect(Object.prototype.hasOwnProperty.call(p.fields, name), `${op.path}?${name}: ${JSON.stringify(p.fields)}`).toBe(true);
          expect(p.fields[name]).toEqual(["Unknown field"]);
        }
      }
      expect(countRows(s.db)).toEqual(before);
    });

    test(`as ${who}: every route with a body refuses each name as a body field (422, named in fields)`, async () => {
      const token = who === "admin" ? admin.token : agent;
      const before = countRows(s.db);
      for (const op of operations().filter((o) => o.hasBody)) {
        for (const name of NAMES) {
          // JSON text, so that __proto__ is an own key as a client would send it.
          const res = await s.request(fill(op.path, ids), { method: op.method, token, rawBody: `{${JSON.stringify(name)}: 1}` });
          const p = await expectProblem(res, `${op.method} ${op.path} {${name}}`, 422);
          expect(p.code).toBe("validation_failed");
          expect(Object.prototype.hasOwnProperty.call(p.fields, name), `${op.path} {${name}}: ${JSON.stringify(p.fields)}`).toBe(true);
          expect(p.fields[name]).toEqual(["Unknown field"]);
        }
      }
      expect(countRows(s.db)).toEqual(before);
    });

    test(`as ${who}: each name as every path parameter is a 4xx, never a 500`, async () => {
      const token = who === "admin" ? admin.token : agent;
      const before = countRows(s.db);
      for (const op of operations().filter((o) => o.params.length)) {
        for (const param of op.params) {
          for (const name of NAMES) {
            const res = await s.request(fill(op.path, { ...ids, [param]: name }), { method: op.method, token, body: op.method === "GET" ? undefined : {} });
            await expectProblem(res, `${op.method} ${op.path} ${param}=${name}`);
          }
        }
      }
      expect(countRows(s.db)).toEqual(before);
    });
  }

  test("an inbox, an agent or a message type named like a built-in is just a name", async () => {
    // A message type that is a built-in name: the reply's default type must still be a string.
    const sent = await s.request("/api/v1/messages", { token: admin.token, body: { to: "backend-developer", type: "constructor", body: "odd type" } });
    expect(sent.status, await sent.clone().text()).toBe(201);
    const m = await json(sent);
    const reply = await s.request(`/api/v1/messages/${m.id}/reply`, { token: agent, body: { body: "answer" } });
    expect(reply.status, await reply.clone().text()).toBe(201);
    expect((await json(reply)).type).toBe("reply");
  });
});
