// A scripted stand-in for the Anthropic Messages API, on loopback, for running the real Claude Code
// CLI in tests without any model: point ANTHROPIC_BASE_URL at `url` and the `policy` decides every
// assistant turn. Claude Code 2.1.x calls `POST /v1/messages?beta=true` with `stream: true` and reads
// Server-Sent Events: message_start, then for each content block content_block_start / _delta / _stop
// (text_delta for text, input_json_delta for a tool_use's input), message_delta (stop_reason, usage),
// message_stop. A request without `stream: true` gets the same turn as one JSON message.
//
// Anything else (count_tokens, or an endpoint we do not know) is answered sensibly and recorded, so
// tests can see what the CLI asked for.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";

/** One block of an assistant turn as the policy writes it (the stub adds ids). */
export type PolicyBlock = { type: "text"; text: string } | { type: "tool_use"; name: string; input: Record<string, unknown>; id?: string };

export interface PolicyTurn {
  content: PolicyBlock[];
  /** Default: tool_use when the turn calls a tool, end_turn otherwise. */
  stopReason?: "end_turn" | "tool_use" | "max_tokens" | "stop_sequence";
}

/** The request body of POST /v1/messages, as far as policies read it. */
export interface MessagesRequest {
  model?: string;
  stream?: boolean;
  max_tokens?: number;
  system?: string | { type: string; text?: string }[];
  /** Claude Code also sends mid-conversation `system` messages (environment, deferred tool names). */
  messages: { role: "user" | "assistant" | "system"; content: string | ContentBlock[] }[];
  tools?: { name: string; description?: string; input_schema?: unknown; defer_loading?: boolean; type?: string }[];
  [k: string]: unknown;
}

export type ContentBlock =
  | { type: "text"; text: string }
  | { type: "tool_use"; id: string; name: string; input: unknown }
  | { type: "tool_result"; tool_use_id: string; content?: string | { type: string; text?: string; [k: string]: unknown }[]; is_error?: boolean }
  | { type: string; [k: string]: unknown };

export type Policy = (body: MessagesRequest) => PolicyTurn | Promise<PolicyTurn>;

export interface RecordedRequest {
  method: string;
  /** Path with query string, e.g. /v1/messages?beta=true */
  path: string;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON body, or the raw text when it is not JSON (null when empty). */
  body: unknown;
  /** What the stub answered: the status and, for messages, the turn it streamed. */
  status: number;
  turn?: PolicyTurn;
  /** An exception thrown by the policy (answered 500). */
  error?: string;
}

export interface AnthropicStub {
  /** Base URL for ANTHROPIC_BASE_URL (no trailing slash). */
  url: string;
  requests: RecordedRequest[];
  /** Only the POST /v1/messages requests' bodies, in order. */
  messages: () => MessagesRequest[];
  close: () => Promise<void>;
}

const id = (prefix: string) => `${prefix}_01${randomBytes(12).toString("hex")}`;

/** A rough token count (about four characters a token), so usage and cost are plausible non-zero numbers. */
export function estimateTokens(value: unknown): number {
  const text = typeof value === "string" ? value : JSON.stringify(value ?? "");
  return Math.max(1, Math.ceil(text.length / 4));
}

/** The turn's blocks as the API returns them (ids added, stop reason settled). */
function materialise(turn: PolicyTurn) {
  const content = turn.content.map((b) => (b.type === "tool_use" ? { type: "tool_use" as const, id: b.id ?? id("toolu"), name: b.name, input: b.input } : { type: "text" as const, text: b.text }));
  const stopReason = turn.stopReason ?? (content.some((b) => b.type === "tool_use") ? "tool_use" : "end_turn");
  return { content, stopReason };
}

function usageFor(body: MessagesRequest, content: unknown) {
  const input = estimateTokens({ s: body.system, m: body.messages, t: body.tools });
  return { input_tokens: input, output_tokens: estimateTokens(content), cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
}

/** Cuts a string into pieces of about `n` characters (to stream deltas as the API does). */
function chunks(s: string, n: number): string[] {
  if (!s) return [""];
  const out: string[] = [];
  for (let i = 0; i < s.length; i += n) out.push(s.slice(i, i + n));
  return out;
}

function sse(res: http.ServerResponse, event: string, data: unknown) {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function streamTurn(res: http.ServerResponse, body: MessagesRequest, turn: PolicyTurn) {
  const { content, stopReason } = materialise(turn);
  const usage = usageFor(body, content);
  const messageId = id("msg");
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive", "request-id": id("req") });
  sse(res, "message_start", {
    type: "message_start",
    message: {
      id: messageId,
      type: "message",
      role: "assistant",
      model: body.model ?? "claude-stub",
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...usage, output_tokens: 1 },
    },
  });
  sse(res, "ping", { type: "ping" });
  content.forEach((block, index) => {
    if (block.type === "text") {
      sse(res, "content_block_start", { type: "content_block_start", index, content_block: { type: "text", text: "" } });
      for (const piece of chunks(block.text, 40)) sse(res, "content_block_delta", { type: "content_block_delta", index, delta: { type: "text_delta", text: piece } });
    } else {
      sse(res, "content_block_start", { type: "content_block_start", index, content_block: { type: "tool_use", id: block.id, name: block.name, input: {} } });
      for (const piece of chunks(JSON.stringify(block.input), 60)) sse(res, "content_block_delta", { type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: piece } });
    }
    sse(res, "content_block_stop", { type: "content_block_stop", index });
  });
  sse(res, "message_delta", { type: "message_delta", delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: usage.output_tokens } });
  sse(res, "message_stop", { type: "message_stop" });
  res.end();
}

function jsonTurn(res: http.ServerResponse, body: MessagesRequest, turn: PolicyTurn) {
  const { content, stopReason } = materialise(turn);
  send(res, 200, { id: id("msg"), type: "message", role: "assistant", model: body.model ?? "claude-stub", content, stop_reason: stopReason, stop_sequence: null, usage: usageFor(body, content) });
}

function send(res: http.ServerResponse, status: number, value: unknown) {
  res.writeHead(status, { "content-type": "application/json", "request-id": id("req") });
  res.end(JSON.stringify(value));
}

const apiError = (type: string, message: string) => ({ type: "error", error: { type, message } });

export interface AnthropicStubOptions {
  /** The port to listen on (127.0.0.1); default: one the system picks. */
  port?: number;
}

export async function startAnthropicStub(policy: Policy, options: AnthropicStubOptions = {}): Promise<AnthropicStub> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (d: Buffer) => parts.push(d));
    req.on("end", () => {
      const raw = Buffer.concat(parts).toString("utf8");
      let body: unknown = null;
      if (raw) {
        try {
          body = JSON.parse(raw);
        } catch {
          body = raw;
        }
      }
      const path = req.url ?? "/";
      const pathname = path.split("?")[0];
      const rec: RecordedRequest = { method: req.method ?? "GET", path, headers: req.headers, body, status: 0 };
      requests.push(rec);
      const answer = (status: number, value: unknown) => {
        rec.status = status;
        send(res, status, value);
      };

      if (req.method === "POST" && pathname === "/v1/messages") {
        const b = body as MessagesRequest | null;
        if (!b || typeof b !== "object" || !Array.isArray(b.messages)) return answer(400, apiError("invalid_request_error", "messages: Field required"));
        Promise.resolve()
          .then(() => policy(b))
          .then(
            (turn) => {
              rec.status = 200;
              rec.turn = turn;
              if (b.stream) streamTurn(res, b, turn);
              else jsonTurn(res, b, turn);
            },
            (err: unknown) => {
              rec.error = err instanceof Error ? (err.stack ?? err.message) : String(err);
              answer(500, apiError("api_error", `stub policy failed: ${rec.error}`));
            },
          );
        return;
      }
      if (req.method === "POST" && pathname === "/v1/messages/count_tokens") {
        const b = (body ?? {}) as Partial<MessagesRequest>;
        return answer(200, { input_tokens: estimateTokens({ s: b.system, m: b.messages, t: b.tools }) });
      }
      if (req.method === "GET" && pathname.startsWith("/v1/models")) {
        const model = { type: "model", id: "claude-sonnet-4-5", display_name: "Claude Sonnet 4.5 (stub)", created_at: "2025-09-29T00:00:00Z" };
        return answer(200, pathname === "/v1/models" ? { data: [model], has_more: false, first_id: model.id, last_id: model.id } : { ...model, id: pathname.slice("/v1/models/".length) });
      }
      if (req.method === "HEAD" || (req.method === "GET" && pathname === "/")) return answer(200, {});
      answer(404, apiError("not_found_error", `stub: no ${req.method} ${pathname}`));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    messages: () => requests.filter((r) => r.method === "POST" && r.path.split("?")[0] === "/v1/messages" && r.body && typeof r.body === "object").map((r) => r.body as MessagesRequest),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
