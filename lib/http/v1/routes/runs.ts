import "server-only";
import { createRoute, z } from "@hono/zod-openapi";
import { runLogStreams, runStatuses, runTriggers } from "@/lib/domain/vocabulary";
import { notFound, taskOwner } from "@/lib/services";
import { cancelRun, getRunLog, listRuns } from "@/lib/services/runs";
import { requestRetry, requestRun, runnerStatus } from "@/lib/runners";
import { jsonOk, optionalJsonBody, readErrors, writeErrors, type V1App } from "../route-kit";
import { TaskIdParam, qInt } from "../schemas";

const tags = ["Runs"];

const DateTime = z.string().openapi({ format: "date-time", example: "2026-11-20T09:30:00.000Z" });
export const RunStatus = z.enum(runStatuses);

export const Run = z
  .looseObject({
    id: z.string().openapi({ example: "run_01jd3k5m8q0000000000000000" }),
    taskId: z.string().nullable().openapi({ description: "null for a run without a task: an agent woken to answer messages" }),
    agent: z.string(),
    status: RunStatus,
    trigger: z.enum(runTriggers),
    retryOf: z.string().nullable(),
    preset: z.string(),
    command: z.array(z.string()).openapi({ description: "argv as launched, prompt elided; never contains a secret" }),
    requestedBy: z.string(),
    createdAt: DateTime,
    startedAt: DateTime.nullable(),
    endedAt: DateTime.nullable(),
    durationMs: z.number().int().nullable(),
    exitCode: z.number().int().nullable(),
    signal: z.string().nullable(),
    reason: z.string().nullable(),
    cancelRequested: z.boolean(),
    logLines: z.number().int(),
    droppedLines: z.number().int(),
    queuePosition: z.number().int().nullable().openapi({ description: "Queued runs: 1 = next to start (FIFO across all agents)" }),
    round: z.number().int().nullable().openapi({ description: "The task's review round when the run was queued" }),
    wakeReason: z.string().nullable().openapi({ description: "trigger wake: what woke the agent, one wake per line" }),
    resumeSessionId: z.string().nullable().openapi({ description: "claude-code: the session this run was asked to continue" }),
    sessionId: z.string().nullable().openapi({ description: "claude-code: the session id the program reported (stream-json)" }),
    usage: z.object({
      inputTokens: z.number().int(),
      outputTokens: z.number().int(),
      cacheReadTokens: z.number().int(),
      cacheCreationTokens: z.number().int(),
      costUsd: z.number().nullable().openapi({ description: "as the program reported it (Claude Code's total_cost_usd); null when it did not" }),
    }),
  })
  .openapi("Run");

export const RunnerStatusSchema = z
  .object({
    agent: z.string(),
    configured: z.boolean(),
    reason: z.string().nullable().openapi({ description: "Why no run can start (no runner configured...)" }),
    source: z.enum(["config", "definition"]).nullable(),
    preset: z.string().nullable(),
    autoStart: z.boolean(),
    concurrency: z.number().int().nullable(),
    timeoutMs: z.number().int().nullable(),
    command: z.array(z.string()),
  })
  .openapi("RunnerStatus");

export const RunLogLine = z.object({ seq: z.number().int(), stream: z.enum(runLogStreams), text: z.string(), at: DateTime }).openapi("RunLogLine");

const RunIdParam = z.object({
  runId: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: "runId", in: "path" }, example: "run_01jd3k5m8q0000000000000000" }),
});

const listRoute = createRoute({
  method: "get",
  path: "/tasks/{taskId}/runs",
  operationId: "listRuns",
  tags,
  summary: "Runs of a task",
  description: "Newest first, with the runner the task's agent would get now (or why it has none).",
  request: { params: TaskIdParam },
  responses: { 200: jsonOk(z.object({ items: z.array(Run), runner: RunnerStatusSchema }).openapi("RunList"), "The runs"), ...readErrors },
});

const runNowRoute = createRoute({
  method: "post",
  path: "/tasks/{taskId}/runs",
  operationId: "runTask",
  tags,
  summary: "Run now (people)",
  description:
    "Queues a run of the task's agent with its configured runner; it starts when a concurrency slot frees. A blocked task goes back to pending first. 409 `conflict` when the agent has no runner or a run of the task is already queued or running.",
  request: { params: TaskIdParam, body: optionalJsonBody(z.strictObject({})) },
  responses: { 201: jsonOk(Run, "The queued run"), ...writeErrors },
});

const cancelRoute = createRoute({
  method: "post",
  path: "/runs/{runId}/cancel",
  operationId: "cancelRun",
  tags,
  summary: "Cancel a run (people)",
  description: "A queued run is cancelled at once; a running one gets SIGTERM (its whole process group), then SIGKILL after the grace period.",
  request: { params: RunIdParam, body: optionalJsonBody(z.strictObject({ reason: z.string().max(500).optional() })) },
  responses: { 200: jsonOk(Run, "The run"), ...writeErrors },
});

const retryRoute = createRoute({
  method: "post",
  path: "/runs/{runId}/retry",
  operationId: "retryRun",
  tags,
  summary: "Retry a run (people)",
  description: "Queues a new run of the same task (for its current agent), linked to this one.",
  request: { params: RunIdParam, body: optionalJsonBody(z.strictObject({})) },
  responses: { 201: jsonOk(Run, "The new run"), ...writeErrors },
});

const logRoute = createRoute({
  method: "get",
  path: "/runs/{runId}/log",
  operationId: "getRunLog",
  tags,
  summary: "A run's output",
  description:
    "With `after`: the lines after that seq, oldest first (follow a live run: pass the last seq you have). Without: the newest lines (before `before` if given), oldest first. `q` keeps only lines containing the text.",
  request: {
    params: RunIdParam,
    query: z.strictObject({
      after: qInt.openapi({ description: "Lines after this seq" }),
      before: qInt.openapi({ description: "Lines before this seq (scrolling back)" }),
      q: z.string().max(200).optional().openapi({ description: "Only lines containing this text" }),
      limit: z.coerce.number().int().min(1).max(2000).optional().openapi({ description: "Page size (default 500)" }),
    }),
  },
  responses: {
    200: jsonOk(
      z
        .object({
          runId: z.string(),
          status: RunStatus,
          items: z.array(RunLogLine),
          lastSeq: z.number().int(),
          hasMore: z.boolean(),
          hasEarlier: z.boolean(),
        })
        .openapi("RunLogPage"),
      "Log lines",
    ),
    ...readErrors,
  },
});

export function registerRunRoutes(app: V1App) {
  app.openapi(listRoute, (c) => {
    const ctx = c.get("ctx");
    const { taskId } = c.req.valid("param");
    const { items } = listRuns(ctx, { taskId });
    const agent = taskOwner(ctx, taskId);
    if (!agent) throw notFound("Task", taskId);
    return c.json({ items, runner: runnerStatus(agent) }, 200);
  });
  app.openapi(runNowRoute, (c) => c.json(requestRun(c.get("ctx"), c.req.valid("param").taskId), 201));
  app.openapi(cancelRoute, (c) => {
    const body = (c.req.valid("json") ?? {}) as { reason?: string };
    return c.json(cancelRun(c.get("ctx"), { runId: c.req.valid("param").runId, reason: body.reason }), 200);
  });
  app.openapi(retryRoute, (c) => c.json(requestRetry(c.get("ctx"), c.req.valid("param").runId), 201));
  app.openapi(logRoute, (c) => c.json(getRunLog(c.get("ctx"), c.req.valid("param").runId, c.req.valid("query")), 200));
}
