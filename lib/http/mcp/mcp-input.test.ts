import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestServer, type TestServer } from "@/test/server";
import { MCP_TOOL_NAMES } from "./tools";

/**
 * Malformed JSON-RPC on /api/mcp (#23): each gets a JSON-RPC error with the right code and a short
 * message that names what is wrong, never a dump of validation internals, never a silent 202.
 * Sent raw (no SDK client would send these), at a 2025 version and at 2026-07-28.
 */

let s: TestServer;
let token = "";

beforeAll(async () => {
  s = await startTestServer();
  token = s.agentToken("backend-developer").token;
});
afterAll(async () => {
  await s.close();
});

const MODERN = "2026-07-28";
const envelope = { "io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": {} };

interface RpcError {
  jsonrpc: "2.0";
  id: string | number | null;
  error: { code: number; message: string; data?: unknown };
}

/** POSTs a raw body; answers the HTTP status and the parsed JSON-RPC answer (from JSON or SSE). */
async function post(body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; answer: RpcError | RpcError[] | null; text: string }> {
  const res = await s.request("/api/mcp", {
    token,
    rawBody: typeof body === "string" ? body : JSON.stringify(body),
    headers: { accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-06-18", ...headers },
  });
  const text = await res.text();
  const data =
    text.startsWith("event:") || text.startsWith("data:")
      ? text
          .split("\n")
          .find((l) => l.startsWith("data: "))
          ?.slice(6)
      : text;
  return { status: res.status, answer: data ? JSON.parse(data) : null, text };
}

function expectError(answer: unknown, code: number, message: RegExp, id: string | number | null = null): RpcError {
  expect(Array.isArray(answer)).toBe(false);
  const a = answer as RpcError;
  expect(a).toMatchObject({ jsonrpc: "2.0", id, error: { code } });
  expect(a.error.message).toMatch(message);
  // Short and free of validation internals (zod issue dumps, stack traces).
  expect(a.error.message.length).toBeLessThan(200);
  expect(a.error.message).not.toMatch(/invalid_type|"path"|expected|\n|at \w+ \(/);
  return a;
}

const call = (id: unknown, params: unknown) => ({ jsonrpc: "2.0", id, method: "tools/call", params });

describe("tools/call with a bad tool name", () => {
  test("a non-string name is -32602 invalid params with a short message (2025 era)", async () => {
    const r = await post(call(1, { name: 5, arguments: {} }));
    expect(r.status).toBe(200);
    expectError(r.answer, -32602, /tool name.*string/i, 1);
  });

  test("a non-string name is -32602 invalid params with a short message (2026-07-28)", async () => {
    const r = await post(call(2, { name: { toString: "x" }, arguments: {}, _meta: envelope }), { "mcp-protocol-version": MODERN, "mcp-method": "tools/call" });
    expect(r.status).toBe(200);
    expectError(r.answer, -32602, /tool name.*string/i, 2);
  });

  test("__proto__, constructor and toString are unknown tools, not disabled ones", async () => {
    for (const name of ["__proto__", "constructor", "toString", "hasOwnProperty"]) {
      const r = await post(call(3, { name, arguments: {} }));
      expect(r.status).toBe(200);
      const a = expectError(r.answer, -32602, /^Unknown tool: /, 3);
      expect(a.error.message).not.toMatch(/disabled/);
    }
    const modern = await post(call(4, { name: "__proto__", arguments: {}, _meta: envelope }), {
      "mcp-protocol-version": MODERN,
      "mcp-method": "tools/call",
      "mcp-name": "__proto__",
    });
    expectError(modern.answer, -32602, /^Unknown tool: __proto__/, 4);
  });

  test("a missing name, and arguments that are not an object, are -32602", async () => {
    expectError((await post(call(5, { arguments: {} }))).answer, -32602, /tool name/i, 5);
    expectError((await post(call(6, { name: "get_task", arguments: "tsk_1" }))).answer, -32602, /arguments.*object/i, 6);
    expectError((await post(call(7, { name: "get_task", arguments: [1] }))).answer, -32602, /arguments.*object/i, 7);
  });
});

describe("malformed JSON-RPC shapes", () => {
  test("an empty batch is -32600 Invalid Request, HTTP 400, not an empty 202", async () => {
    const r = await post([]);
    expect(r.status).toBe(400);
    expectError(r.answer, -32600, /empty batch/i);
  });

  test("a huge batch is refused whole with -32600", async () => {
    const batch = Array.from({ length: 1000 }, (_, i) => ({ jsonrpc: "2.0", id: i + 1, method: "tools/list" }));
    const r = await post(batch, { "mcp-protocol-version": "2025-03-26" });
    expect(r.status).toBe(400);
    expectError(r.answer, -32600, /batch.*1000.*at most/i);
  });

  test("a batch with a malformed member names the member", async () => {
    const r = await post(
      [
        { jsonrpc: "2.0", id: 1, method: "tools/list" },
        { jsonrpc: "2.0", id: 2 },
      ],
      { "mcp-protocol-version": "2025-03-26" },
    );
    expect(r.status).toBe(400);
    expectError(r.answer, -32600, /batch member 2: .*method/i);
  });

  test("a missing or non-string method is -32600, echoing the id", async () => {
    const missing = await post({ jsonrpc: "2.0", id: 8 });
    expect(missing.status).toBe(400);
    expectError(missing.answer, -32600, /method/i, 8);
    expectError((await post({ jsonrpc: "2.0", id: 9, method: 42 })).answer, -32600, /method/i, 9);
    expectError((await post({ jsonrpc: "2.0", id: 10, method: "" })).answer, -32600, /method/i, 10);
  });

  test("params that are not an object are refused, echoing the id", async () => {
    const num = await post({ jsonrpc: "2.0", id: 11, method: "tools/list", params: 5 });
    expect(num.status).toBe(400);
    expectError(num.answer, -32600, /params.*object/i, 11);
    const str = await post({ jsonrpc: "2.0", id: 12, method: "tools/list", params: "x" });
    expectError(str.answer, -32600, /params.*object/i, 12);
    const arr = await post({ jsonrpc: "2.0", id: 13, method: "tools/list", params: [1, 2] });
    expectError(arr.answer, -32602, /params.*object/i, 13);
  });

  test("an id that is not a string or a number is -32600 with id null", async () => {
    for (const id of [{}, [1], true, null, 1.5]) {
      const r = await post({ jsonrpc: "2.0", id, method: "tools/list" });
      expect(r.status).toBe(400);
      expectError(r.answer, -32600, /id must be a string or an integer/i);
    }
  });

  test("a wrong or missing jsonrpc version, a non-object body, and bad JSON", async () => {
    expectError((await post({ jsonrpc: "1.0", id: 14, method: "tools/list" })).answer, -32600, /jsonrpc.*2\.0/i, 14);
    expectError((await post({ id: 15, method: "tools/list" })).answer, -32600, /jsonrpc.*2\.0/i, 15);
    for (const body of ["5", '"hello"', "null", "true"]) {
      const r = await post(body);
      expect(r.status).toBe(400);
      expectError(r.answer, -32600, /object/i);
    }
    const bad = await post("{not json");
    expect(bad.status).toBe(400);
    expectError(bad.answer, -32700, /parse error/i);
  });

  test("a well-formed request still works after all that", async () => {
    const r = await post({ jsonrpc: "2.0", id: 99, method: "tools/list", params: {} });
    expect(r.status).toBe(200);
    const a = r.answer as unknown as { id: number; result: { tools: unknown[] } };
    expect(a.id).toBe(99);
    expect(a.result.tools).toHaveLength(MCP_TOOL_NAMES.length);
  });
});
