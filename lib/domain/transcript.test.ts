import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { LineSplitter, type OutputLine } from "@/lib/runners/output";
import {
  LOG_LINE_SPLIT_CHARS,
  isStreamJson,
  parseTranscript,
  readableExcerpt,
  runUsage,
  sessionIdOf,
  splitToolName,
  type LineEntry,
  type ResultEntry,
  type ToolCallEntry,
  type ToolResultEntry,
  type TranscriptLine,
} from "./transcript";

const SID = "5d1c0e6a-2b7f-4a8e-9c3d-1f2e3a4b5c6d";
const T0 = Date.parse("2026-11-26T10:00:00Z");

const usage = (input: number, output: number, cacheRead = 0, cacheCreation = 0) => ({
  input_tokens: input,
  output_tokens: output,
  cache_read_input_tokens: cacheRead,
  cache_creation_input_tokens: cacheCreation,
  service_tier: "standard",
});
const assistant = (id: string, content: unknown[], u = usage(10, 5), parent: string | null = null) =>
  JSON.stringify({
    type: "assistant",
    message: { id, type: "message", role: "assistant", model: "claude-sonnet-4-5", content, stop_reason: null, usage: u },
    parent_tool_use_id: parent,
    session_id: SID,
  });
const toolUse = (id: string, name: string, input: unknown) => ({ type: "tool_use", id, name, input });
const toolResult = (id: string, content: unknown, isError = false) =>
  JSON.stringify({ type: "user", message: { role: "user", content: [{ type: "tool_result", tool_use_id: id, content, is_error: isError }] }, parent_tool_use_id: null, session_id: SID });

const INIT = JSON.stringify({
  type: "system",
  subtype: "init",
  cwd: "/home/ana/shop",
  session_id: SID,
  tools: ["Task", "Bash", "Read", "Edit", "mcp__agentdesk__claim_task", "mcp__agentdesk__update_step", "mcp__agentdesk__submit_output"],
  mcp_servers: [{ name: "agentdesk", status: "connected" }],
  model: "claude-sonnet-4-5",
  permissionMode: "default",
  apiKeySource: "none",
  claude_code_version: "2.1.332",
});
const LONG_CONTENT = "# Orders API\n\n" + "The handler validates the body, then writes the order. ".repeat(180) + "Done: 3 acceptance criteria met ✓ 🎉";
const RESULT = JSON.stringify({
  type: "result",
  subtype: "success",
  is_error: false,
  duration_ms: 84_213,
  duration_api_ms: 61_002,
  num_turns: 9,
  result: "Implemented POST /api/orders and submitted the report for review.",
  session_id: SID,
  total_cost_usd: 0.0123,
  usage: usage(1200, 640, 30_000, 4_000),
  modelUsage: { "claude-sonnet-4-5": { inputTokens: 1200, outputTokens: 640 } },
});

/** The stdout of a session, as Claude Code prints it. */
const STDOUT = [
  INIT,
  assistant("msg_01", [{ type: "text", text: "I'll claim the task first.\nThen read the steps." }], usage(100, 20, 5000, 1000)),
  assistant("msg_01", [toolUse("toolu_01", "mcp__agentdesk__claim_task", { taskId: "tsk_1" })], usage(100, 20, 5000, 1000)),
  toolResult("toolu_01", [{ type: "text", text: '{"task":{"id":"tsk_1"},"lease":{"token":"lease_abc"}}' }]),
  assistant("msg_02", [toolUse("toolu_02", "mcp__agentdesk__update_step", { taskId: "tsk_1", position: 1, status: "in_progress", note: "Reading the spec", leaseToken: "lease_abc" })], usage(200, 30)),
  toolResult("toolu_02", [{ type: "text", text: '{"position":1,"status":"in_progress"}' }]),
  assistant("msg_03", [toolUse("toolu_03", "Bash", { command: "npm test -- orders", description: "Run the orders tests" })], usage(300, 40)),
  toolResult("toolu_03", "Error: 2 tests failed\n  ✗ rejects an empty body", true),
  assistant("msg_04", [toolUse("toolu_04", "mcp__agentdesk__update_step", { taskId: "tsk_1", position: 3, status: "done", note: "Fixed validation" })], usage(400, 50)),
  toolResult("toolu_04", "illegal_transition: Step 3 is pending and cannot become done", true),
  assistant("msg_05", [toolUse("toolu_05", "mcp__agentdesk__submit_output", { taskId: "tsk_1", format: "markdown", content: LONG_CONTENT, stepPosition: 5 })], usage(500, 2000)),
  toolResult("toolu_05", [{ type: "text", text: '{"output":{"id":"out_1","version":1}}' }]),
  assistant("msg_06", [{ type: "text", text: "Implemented POST /api/orders and submitted the report for review." }], usage(600, 60)),
  RESULT,
];

/** Runs the session's output through the real splitter, with stderr and our system lines around it. */
function fixtureLog(): TranscriptLine[] {
  const rows: OutputLine[] = [{ stream: "system", text: "$ claude -p … --output-format stream-json --verbose", at: T0 }];
  const out = new LineSplitter("stdout", (l) => rows.push(l), LOG_LINE_SPLIT_CHARS);
  const err = new LineSplitter("stderr", (l) => rows.push(l), LOG_LINE_SPLIT_CHARS);
  STDOUT.forEach((line, i) => {
    out.write(Buffer.from(line + "\n"));
    if (i === 3) err.write("[warn] MCP server agentdesk slow to answer\n");
  });
  out.end();
  err.end();
  rows.push({ stream: "system", text: "exit code 0", at: T0 });
  return rows.map((r, i) => ({ seq: i + 1, stream: r.stream, text: r.text, at: new Date(T0 + i * 1000).toISOString() }));
}

describe("output.ts's splitter and the rejoin rule", () => {
  it("cuts the long submit_output line into full-length rows that do not parse alone", () => {
    const log = fixtureLog();
    const long = STDOUT[10];
    const head = log.findIndex((l) => l.text.startsWith('{"type":"assistant","message":{"id":"msg_05"'));
    const pieces = log.slice(head, head + Math.ceil(long.length / LOG_LINE_SPLIT_CHARS));
    expect(long.length).toBeGreaterThan(2 * LOG_LINE_SPLIT_CHARS);
    expect(pieces.every((p) => p.stream === "stdout" && p.text.length <= LOG_LINE_SPLIT_CHARS)).toBe(true);
    expect(pieces.every((p) => !p.text.startsWith("{") || p === pieces[0])).toBe(true);
    expect(pieces.slice(0, -1).every((p) => p.text.length === LOG_LINE_SPLIT_CHARS)).toBe(true);
    expect(pieces.map((p) => p.text).join("")).toBe(long);
    for (const p of pieces) expect(() => JSON.parse(p.text)).toThrow();
  });

  it("rejoins the pieces into one tool call with its whole input", () => {
    const entries = parseTranscript(fixtureLog());
    const submit = entries.find((e): e is ToolCallEntry => e.kind === "tool_call" && e.shortName === "submit_output");
    expect(submit?.input.content).toBe(LONG_CONTENT);
    expect(submit?.step).toEqual({ position: 5, taskId: "tsk_1" });
    expect(submit?.result).toContain("out_1");
    expect(entries.filter((e) => e.kind === "line" && e.partial)).toEqual([]);
  });

  it("rejoins across rows of other streams and with the splitter's cont mark", () => {
    const long = assistant("msg_x", [{ type: "text", text: "x".repeat(9000) }]);
    const a = long.slice(0, 4000);
    const b = long.slice(4000, 8000);
    const c = long.slice(8000);
    const rows: TranscriptLine[] = [
      { seq: 1, stream: "stdout", text: a, at: T0 },
      { seq: 2, stream: "stderr", text: "progress 50%", at: T0 },
      { seq: 3, stream: "stdout", text: b, at: T0 },
      { seq: 4, stream: "stdout", text: c, at: T0 },
    ];
    const entries = parseTranscript(rows);
    expect(entries.map((e) => e.kind)).toEqual(["text", "line"]);
    expect(entries[0].kind === "text" && entries[0].text.length).toBe(9000);
    // With an explicit mark, the length does not matter (a splitter that cuts elsewhere).
    const marked = [long.slice(0, 100), long.slice(100, 5000), long.slice(5000)].map((text, i) => ({ seq: i + 1, stream: "stdout", text, at: T0, cont: i > 0 }));
    expect(parseTranscript(marked, { splitAt: 4000 }).map((e) => e.kind)).toEqual(["text"]);
  });

  it("does not join a line that is whole at exactly the split length", () => {
    const pad = "y".repeat(4000 - assistant("msg_y", [{ type: "text", text: "" }]).length);
    const exact = assistant("msg_y", [{ type: "text", text: pad }]);
    expect(exact.length).toBe(4000);
    const entries = parseTranscript([
      { seq: 1, stream: "stdout", text: exact, at: T0 },
      { seq: 2, stream: "stdout", text: RESULT, at: T0 },
    ]);
    expect(entries.map((e) => e.kind)).toEqual(["text", "result"]);
  });

  it("keeps pieces whose head or tail is missing as partial raw lines, and joins them once loaded", () => {
    const log = fixtureLog();
    const first = log.findIndex((l) => l.text.includes("toolu_05") && l.text.length === LOG_LINE_SPLIT_CHARS);
    // The tail page not loaded yet: the head alone.
    const head = parseTranscript(log.slice(0, first + 1));
    const last = head[head.length - 1] as LineEntry;
    expect(last).toMatchObject({ kind: "line", partial: true, stream: "stdout" });
    // The head page not loaded: a continuation first.
    const tail = parseTranscript(log.slice(first + 1));
    expect(tail[0]).toMatchObject({ kind: "line", partial: true });
    // Both loaded: joined.
    expect(parseTranscript(log).some((e) => e.kind === "tool_call" && e.shortName === "submit_output")).toBe(true);
  });

  it("rejoins any JSON line the splitter cut, wherever the cuts fall (property)", () => {
    fc.assert(
      // Written in chunks: a line longer than 4 × splitAt without its newline yet is cut while it arrives.
      fc.property(fc.string({ minLength: 0, maxLength: 600, unit: "grapheme" }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 500 }), (text, reps, chunk) => {
        const line = assistant("msg_p", [{ type: "text", text: text.repeat(reps) + "!" }]);
        const rows: OutputLine[] = [];
        const s = new LineSplitter("stdout", (l) => rows.push(l), 97);
        const all = Buffer.from(line + "\n" + RESULT + "\n");
        for (let i = 0; i < all.length; i += chunk) s.write(all.subarray(i, i + chunk));
        s.end();
        const entries = parseTranscript(
          rows.map((r, i) => ({ seq: i + 1, ...r })),
          { splitAt: 97 },
        );
        expect(entries.map((e) => e.kind)).toEqual(["text", "result"]);
        expect(entries[0].kind === "text" && entries[0].text).toBe(text.repeat(reps) + "!");
      }),
      { numRuns: 200 },
    );
  });
});

describe("parseTranscript", () => {
  const entries = parseTranscript(fixtureLog());

  it("reads the session in order, non-JSON lines kept where they were", () => {
    expect(entries.map((e) => (e.kind === "tool_call" ? `tool:${e.shortName}` : e.kind))).toEqual([
      "line",
      "init",
      "text",
      "tool:claim_task",
      "line",
      "tool:update_step",
      "tool:Bash",
      "tool:update_step",
      "tool:submit_output",
      "text",
      "result",
      "line",
    ]);
    const lines = entries.filter((e): e is LineEntry => e.kind === "line");
    expect(lines.map((l) => [l.stream, l.text])).toEqual([
      ["system", "$ claude -p … --output-format stream-json --verbose"],
      ["stderr", "[warn] MCP server agentdesk slow to answer"],
      ["system", "exit code 0"],
    ]);
    expect(new Set(entries.map((e) => e.key)).size).toBe(entries.length);
  });

  it("reads init: session, model, tools and the AgentDesk server's status", () => {
    expect(entries[1]).toMatchObject({ kind: "init", sessionId: SID, model: "claude-sonnet-4-5", toolsCount: 7, agentdeskStatus: "connected", version: "2.1.332", cwd: "/home/ana/shop" });
  });

  it("keeps the agent's text as written", () => {
    expect(entries[2]).toMatchObject({ kind: "text", role: "assistant", text: "I'll claim the task first.\nThen read the steps.", messageId: "msg_01" });
  });

  it("names tools, marks AgentDesk ones, and folds results (errors marked)", () => {
    const calls = entries.filter((e): e is ToolCallEntry => e.kind === "tool_call");
    expect(calls.map((c) => [c.shortName, c.agentdesk, c.isError])).toEqual([
      ["claim_task", true, false],
      ["update_step", true, false],
      ["Bash", false, true],
      ["update_step", true, true],
      ["submit_output", true, false],
    ]);
    expect(calls[0]).toMatchObject({ id: "toolu_01", name: "mcp__agentdesk__claim_task", server: "agentdesk", result: '{"task":{"id":"tsk_1"},"lease":{"token":"lease_abc"}}' });
    expect(calls[1].step).toEqual({ position: 1, taskId: "tsk_1", status: "in_progress", note: "Reading the spec" });
    expect(calls[2]).toMatchObject({ step: undefined, input: { command: "npm test -- orders" }, result: "Error: 2 tests failed\n  ✗ rejects an empty body" });
    expect(calls[3]).toMatchObject({ step: { position: 3, status: "done" }, result: "illegal_transition: Step 3 is pending and cannot become done" });
  });

  it("reads the result line", () => {
    expect(entries[10]).toMatchObject({
      kind: "result",
      subtype: "success",
      isError: false,
      text: "Implemented POST /api/orders and submitted the report for review.",
      durationMs: 84_213,
      numTurns: 9,
      costUsd: 0.0123,
      usage: { inputTokens: 1200, outputTokens: 640, cacheReadTokens: 30_000, cacheCreationTokens: 4_000 },
    } satisfies Partial<ResultEntry>);
  });

  it("attaches a result that arrives in a later page, once the pages are parsed together", () => {
    const log = fixtureLog();
    const at = log.findIndex((l) => l.text.includes('"tool_use_id":"toolu_03"'));
    const before = parseTranscript(log.slice(0, at)).find((e): e is ToolCallEntry => e.kind === "tool_call" && e.id === "toolu_03");
    expect(before?.result).toBeUndefined();
    // The later page alone: the result without its call.
    const orphan = parseTranscript(log.slice(at)).find((e): e is ToolResultEntry => e.kind === "tool_result");
    expect(orphan).toMatchObject({ toolUseId: "toolu_03", isError: true });
    // Pages in any order and overlapping (a refetch): ordered and deduplicated by seq.
    const merged = [...log.slice(at - 2), ...log.slice(0, at)];
    const after = parseTranscript(merged);
    expect(after.find((e): e is ToolCallEntry => e.kind === "tool_call" && e.id === "toolu_03")?.isError).toBe(true);
    expect(after.length).toBe(entries.length);
  });

  it("never throws on odd lines: they become generic lines", () => {
    const odd = [
      "",
      "{",
      "[1,2]",
      "null",
      '{"type":"system","subtype":"compact_boundary","session_id":"s"}',
      '{"type":"assistant"}',
      '{"type":"assistant","message":{"content":[{"type":"server_tool_use","id":"x"}]}}',
      '{"type":"user","message":{"content":[{"type":"tool_result"}]}}',
      '{"type":"result"}',
      '{"type":"stream_event","event":{}}',
      '{"level":30,"msg":"pino"}',
    ].map((text, i) => ({ seq: i + 1, stream: "stdout", text, at: T0 }));
    const out = parseTranscript(odd);
    expect(out.map((e) => (e.kind === "line" ? (e.label ?? "raw") : e.kind))).toEqual([
      "raw",
      "raw",
      "raw",
      "raw",
      "system/compact_boundary",
      "assistant",
      "assistant",
      "user",
      "result",
      "stream_event",
      "json",
    ]);
    expect(out[8]).toMatchObject({ kind: "result", subtype: "unknown" });
  });

  it("shows a text printed twice under the same message id once", () => {
    const text = assistant("msg_d", [{ type: "text", text: "Hello" }]);
    const out = parseTranscript([text, text, assistant("msg_e", [{ type: "text", text: "Hello" }])].map((t, i) => ({ seq: i + 1, stream: "stdout", text: t, at: T0 })));
    expect(out.map((e) => e.kind === "text" && e.messageId)).toEqual(["msg_d", "msg_e"]);
  });

  it("marks a sub-agent's messages with the Task call they belong to, and tools of other MCP servers", () => {
    const out = parseTranscript(
      [assistant("msg_s", [{ type: "text", text: "sub" }, toolUse("toolu_s", "mcp__github__create_issue", {})], usage(1, 1), "toolu_task")].map((t, i) => ({
        seq: i + 1,
        stream: "stdout",
        text: t,
        at: T0,
      })),
    );
    expect(out[0]).toMatchObject({ kind: "text", parentToolUseId: "toolu_task" });
    expect(out[1]).toMatchObject({ kind: "tool_call", shortName: "create_issue", server: "github", agentdesk: false });
    expect(splitToolName("Read")).toEqual({ shortName: "Read", agentdesk: false });
  });
});

describe("runUsage, sessionIdOf, isStreamJson", () => {
  it("counts each message id once and lets the result's totals win", () => {
    const u = runUsage(fixtureLog());
    expect(u.perMessage.map((m) => m.messageId)).toEqual(["msg_01", "msg_02", "msg_03", "msg_04", "msg_05", "msg_06"]);
    expect(u.perMessage[0].usage).toEqual({ inputTokens: 100, outputTokens: 20, cacheReadTokens: 5000, cacheCreationTokens: 1000 });
    expect(u).toMatchObject({ sessionId: SID, inputTokens: 1200, outputTokens: 640, cacheReadTokens: 30_000, cacheCreationTokens: 4_000, costUsd: 0.0123 });
  });

  it("sums the messages when there is no result yet (a running session)", () => {
    const log = fixtureLog().filter((l) => !l.text.startsWith('{"type":"result"'));
    const u = runUsage(log);
    expect(u).toMatchObject({ inputTokens: 2100, outputTokens: 2200, cacheReadTokens: 5000, cacheCreationTokens: 1000, costUsd: undefined });
  });

  it("finds the session id, and tells stream-json from plain output", () => {
    const log = fixtureLog();
    expect(sessionIdOf(log)).toBe(SID);
    expect(sessionIdOf(log.slice(3))).toBe(SID);
    expect(sessionIdOf([{ seq: 1, stream: "stdout", text: "hello", at: T0 }])).toBeUndefined();
    expect(isStreamJson(log)).toBe(true);
    expect(isStreamJson([{ seq: 1, stream: "stdout", text: '{"level":30,"msg":"x"}', at: T0 }])).toBe(false);
    expect(isStreamJson([])).toBe(false);
  });
});

describe("readableExcerpt", () => {
  it("gives the agent's last words and the result, not JSON", () => {
    const text = readableExcerpt(fixtureLog(), 500);
    expect(text).toBe("I'll claim the task first.\nThen read the steps.\n\nImplemented POST /api/orders and submitted the report for review.");
    expect(text).not.toContain("{");
  });

  it("keeps the end within maxChars", () => {
    const text = readableExcerpt(fixtureLog(), 40);
    expect(text.length).toBe(40);
    expect(text.startsWith("…")).toBe(true);
    expect(text.endsWith("for review.")).toBe(true);
  });

  it("says how a session stopped when it did not succeed", () => {
    const stopped = JSON.stringify({ type: "result", subtype: "error_max_turns", is_error: true, num_turns: 12, session_id: SID });
    const log = [INIT, assistant("msg_1", [{ type: "text", text: "Still fixing the tests." }]), stopped].map((text, i) => ({ seq: i + 1, stream: "stdout", text, at: T0 }));
    expect(readableExcerpt(log, 200)).toBe("Still fixing the tests.\n\n[error_max_turns after 12 turns]");
  });

  it("falls back to stderr when the session printed nothing readable", () => {
    const log = [
      { seq: 1, stream: "system", text: "$ claude -p …", at: T0 },
      { seq: 2, stream: "stdout", text: INIT, at: T0 },
      { seq: 3, stream: "stderr", text: "Error: Invalid API key", at: T0 },
      { seq: 4, stream: "system", text: "exit code 1", at: T0 },
    ];
    expect(readableExcerpt(log, 200)).toBe("Error: Invalid API key");
  });

  it("gives the last lines as they are for other programs", () => {
    const log = ["$ ./agent.sh", "working", "done", "exit code 0"].map((text, i) => ({ seq: i + 1, stream: i === 0 || i === 3 ? "system" : "stdout", text, at: T0 + i }));
    expect(readableExcerpt(log, 1000)).toBe("$ ./agent.sh\nworking\ndone\nexit code 0");
    expect(readableExcerpt(log, 14)).toBe("…e\nexit code 0");
  });
});
