import http, { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "@/lib/log";
import { malformedPagePath, refuseMalformedPagePath } from "./page-guard";

describe("malformedPagePath", () => {
  it("finds paths Next cannot decode", () => {
    for (const url of ["/tasks/%", "/tasks/%E0%A4%A", "/outputs/%ff", "/instructions/%", "/%zz", "/tasks/a%2", "/inbox/hitl/%C0%AF"]) {
      expect(malformedPagePath(url), url).toMatch(/percent-encoding/);
    }
    for (const url of ["/tasks/%00", "/x/%0a/y", "/x%0D", "/x%7F"]) expect(malformedPagePath(url), url).toMatch(/control character/);
  });

  it("lets ordinary paths through, whatever the query holds (Next reads queries leniently)", () => {
    for (const url of ["/", "/tasks", "/tasks/tsk_01%20x", "/agents/back%2Fend", "/sign-in?next=%2F%0a%2Fx", "/sign-in?next=/%E3%80%82/x", "/x?y=%", "/_next/static/chunks/a.js", "/caf%C3%A9#frag%"]) {
      expect(malformedPagePath(url), url).toBeNull();
    }
  });
});

describe("the page request handler (as server.ts runs it, with a stand-in for Next)", () => {
  let server: Server;
  let port: number;
  const lines: string[] = [];
  const log = createLogger({ level: "info", destination: { write: (l: string) => void lines.push(l) } });
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (refuseMalformedPagePath(req, res, log)) return;
      res.end("next handled it");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const get = (path: string) =>
    new Promise<{ status: number; body: string; type: string }>((resolve, reject) => {
      http
        .get({ host: "127.0.0.1", port, path, agent: false }, (res) => {
          let body = "";
          res.on("data", (c) => (body += c));
          res.on("end", () => resolve({ status: res.statusCode!, body, type: String(res.headers["content-type"]) }));
        })
        .on("error", reject);
    });

  it.each(["/tasks/%", "/tasks/%E0%A4%A", "/outputs/%ff", "/instructions/%", "/tasks/%00"])("answers 400 to %s and logs it", async (path) => {
    lines.length = 0;
    const res = await get(path);
    expect(res.status).toBe(400);
    expect(res.type).toMatch(/^text\/plain/);
    expect(res.body).toMatch(/not a valid address/);
    const line = lines.map((l) => JSON.parse(l)).find((l) => l.msg === "malformed page path refused");
    expect(line).toMatchObject({ level: "warn", status: 400, method: "GET", url: path });
  });

  it("hands ordinary paths to Next", async () => {
    for (const path of ["/tasks/tsk_1", "/sign-in?next=/%0a/x", "/"]) expect(await get(path)).toMatchObject({ status: 200, body: "next handled it" });
  });
});
