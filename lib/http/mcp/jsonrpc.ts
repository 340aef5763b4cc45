import "server-only";
/**
 * The shape checks /api/mcp makes before a message reaches the SDK (#23). The SDK answers some
 * malformed messages with a dump of its zod issues (-32603 or -32602 with the issue list), some
 * with a silent 202 (an empty batch), and looks tools up by name in a plain object (so
 * `__proto__` is a tool that exists but is "disabled"). Here every malformed shape gets a
 * JSON-RPC error with the right code and one short sentence saying what is wrong.
 *
 * Codes: -32700 the body is not JSON; -32600 not a valid JSON-RPC request (HTTP 400);
 * -32602 a valid request whose params are wrong for its method (HTTP 200, as the SDK answers it).
 */

export type RpcId = string | number | null;

export interface RpcProblem {
  status: 200 | 400;
  id: RpcId;
  code: number;
  message: string;
}

/** At most this many messages in one POST: a batch is one request for the rate limit. */
export const MAX_BATCH = 20;

export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
export const INVALID_PARAMS = -32602;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const validId = (v: unknown): v is string | number => typeof v === "string" || (typeof v === "number" && Number.isSafeInteger(v));

/** A name as it may appear in a message: printable and short. */
function shown(name: string): string {
  const clean = name.replace(/[\u0000-\u001f\u007f]/g, "?");
  return clean.length > 80 ? `${clean.slice(0, 80)}…` : clean;
}

/** The names a call may ask for: tools (tools/call) and prompts (prompts/get). */
export interface KnownNames {
  tools: ReadonlySet<string>;
  prompts: ReadonlySet<string>;
}

/** The problem with one message, or null when it may go to the SDK. */
export function checkMessage(msg: unknown, known: KnownNames): RpcProblem | null {
  if (!isObject(msg)) return invalid(null, "a JSON-RPC message must be an object");
  const hasId = Object.hasOwn(msg, "id");
  if (hasId && !validId(msg.id)) {
    // A response to a request of ours may carry id null (an error without an id); we send none in
    // stateless mode, the SDK acknowledges such posts, so only requests are held to this.
    if (!(msg.id === null && !Object.hasOwn(msg, "method"))) return invalid(null, "id must be a string or an integer");
  }
  const id: RpcId = hasId && validId(msg.id) ? msg.id : null;
  if (msg.jsonrpc !== "2.0") return invalid(id, 'jsonrpc must be "2.0"');
  if (!Object.hasOwn(msg, "method")) {
    if (hasId && (Object.hasOwn(msg, "result") || Object.hasOwn(msg, "error"))) return null; // a response
    return invalid(id, "method is missing");
  }
  if (typeof msg.method !== "string" || msg.method.length === 0) return invalid(id, "method must be a non-empty string");
  if (Object.hasOwn(msg, "params") && msg.params !== undefined) {
    if (Array.isArray(msg.params)) return badParams(id, "params must be an object (named parameters), not an array");
    if (!isObject(msg.params)) return invalid(id, "params must be an object");
  }
  if (hasId && msg.method === "tools/call") {
    const params = isObject(msg.params) ? msg.params : {};
    const name = params.name;
    if (typeof name !== "string") return badParams(id, "the tool name (params.name) must be a string");
    // A Set, not an object: "__proto__", "constructor" and "toString" are not tools.
    if (!known.tools.has(name)) return { status: 200, id, code: INVALID_PARAMS, message: `Unknown tool: ${shown(name)}` };
    if (Object.hasOwn(params, "arguments") && params.arguments !== undefined && !isObject(params.arguments)) return badParams(id, "arguments must be an object");
  }
  if (hasId && msg.method === "prompts/get") {
    // The SDK looks prompts up in a plain object too.
    const name = isObject(msg.params) ? msg.params.name : undefined;
    if (typeof name !== "string") return badParams(id, "the prompt name (params.name) must be a string");
    if (!known.prompts.has(name)) return { status: 200, id, code: INVALID_PARAMS, message: `Unknown prompt: ${shown(name)}` };
  }
  return null;
}

/** The problem with a parsed body (one message or a batch), or null. */
export function checkBody(body: unknown, known: KnownNames): RpcProblem | null {
  if (!Array.isArray(body)) {
    const p = checkMessage(body, known);
    return p && { ...p, status: p.code === INVALID_PARAMS ? 200 : 400 };
  }
  if (body.length === 0) return invalid(null, "empty batch");
  if (body.length > MAX_BATCH) return invalid(null, `batch of ${body.length} messages, at most ${MAX_BATCH} per request`);
  for (let i = 0; i < body.length; i++) {
    const p = checkMessage(body[i], known);
    if (p) return { status: 400, id: null, code: p.code, message: p.message.replace(/^(Invalid \w+: )?/, (prefix) => `${prefix || ""}batch member ${i + 1}: `) };
  }
  return null;
}

/** The JSON-RPC error answer for a problem. */
export function errorBody(p: Pick<RpcProblem, "id" | "code" | "message">) {
  return { jsonrpc: "2.0" as const, id: p.id, error: { code: p.code, message: p.message } };
}

function invalid(id: RpcId, what: string): RpcProblem {
  return { status: 400, id, code: INVALID_REQUEST, message: `Invalid Request: ${what}` };
}

function badParams(id: RpcId, what: string): RpcProblem {
  return { status: 200, id, code: INVALID_PARAMS, message: `Invalid params: ${what}` };
}
