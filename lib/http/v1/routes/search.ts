import "server-only";
import { createRoute, z } from "@hono/zod-openapi";
import { searchAll, searchKinds, type SearchKind } from "@/lib/services";
import { jsonOk, readErrors, type V1App } from "../route-kit";
import { qCursor } from "../schemas";

const tags = ["Search"];

const Kind = z.enum(searchKinds);
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** A time in the query: an ISO 8601 date or date-time, or milliseconds since the epoch. */
const qTime = (description: string) =>
  z
    .string()
    .max(40)
    .refine((s) => (/^\d+$/.test(s) ? true : !Number.isNaN(Date.parse(s))), { message: "Not a date: use YYYY-MM-DD, an ISO date-time, or milliseconds" })
    .optional()
    .openapi({ description, example: "2026-12-01" });

const toMs = (s: string | undefined, endOfDay: boolean): number | undefined => {
  if (s === undefined) return undefined;
  if (/^\d+$/.test(s)) return Number(s);
  const ms = Date.parse(s);
  // A bare date as `to` takes in the whole day.
  return endOfDay && DATE_ONLY.test(s) ? ms + 86_400_000 : ms;
};

const Hit = z
  .object({
    kind: Kind,
    id: z.string(),
    title: z.string(),
    snippet: z.string().openapi({ description: "The best passage; matched words between \\u0002 and \\u0003" }),
    status: z.string().nullable().openapi({ description: "Task or output status, instruction phase, message type" }),
    agent: z.string().nullable().openapi({ description: "The task's agent (tasks, outputs), the recipient (messages)" }),
    createdAt: z.string().openapi({ format: "date-time" }),
    links: z.object({
      taskId: z.string().nullable(),
      taskRef: z.string().nullable(),
      outputId: z.string().nullable(),
      version: z.number().int().nullable(),
      instructionId: z.string().nullable(),
      messageId: z.string().nullable(),
      threadId: z.string().nullable(),
    }),
    score: z.number().nullable().openapi({ description: "bm25, lower is better; null when the kind had too many matches to rank (newest first)" }),
  })
  .openapi("SearchHit");

const Counts = z.object({ task: z.number().int(), output: z.number().int(), instruction: z.number().int(), message: z.number().int() });

const SearchAllResult = z
  .object({
    items: z.array(Hit),
    nextCursor: z.string().nullable().openapi({ description: "Pass as ?cursor= for the next page; null at the end (at most 1,000 hits are paged)" }),
    counts: Counts.openapi({ description: "Matches per kind with the filters (whatever `kinds` says), counted up to 1,000" }),
    more: z.array(Kind).openapi({ description: "Kinds with more than 1,000 matches (their hits come newest first)" }),
    searchable: z.array(Kind).openapi({ description: "The kinds this caller may search (agents: no instructions)" }),
    order: z.record(z.string(), z.enum(["relevance", "newest"])),
    query: z.string().nullable().openapi({ description: "The full-text query the words became; null when nothing searchable was typed" }),
  })
  .openapi("SearchAllResult");

const searchAllRoute = createRoute({
  method: "get",
  path: "/search/all",
  operationId: "searchAll",
  tags,
  summary: "Search everywhere: tasks, outputs, instructions, messages",
  description:
    "Words are matched as typed (quote a phrase, end a word with * for a prefix) in task titles, descriptions and acceptance criteria, every version of every output, instruction titles and bodies, message subjects and bodies. " +
    "Hits of every kind are mixed, best first (bm25 within a kind; a kind with more than 1,000 matches gives its newest). " +
    "An agent finds its own tasks, their outputs and its own inbox only (no instructions). `GET /search` remains the messages-only search.",
  request: {
    query: z.strictObject({
      q: z.string().min(1).max(500),
      kinds: z
        .string()
        .max(60)
        .regex(new RegExp(`^(${searchKinds.join("|")})(,(${searchKinds.join("|")}))*$`), { message: `A comma-separated list of ${searchKinds.join(", ")}` })
        .optional()
        .openapi({ description: "Only these kinds, comma-separated (counts still cover every kind)", example: "task,output" }),
      agent: z.string().min(1).max(64).optional().openapi({ description: "Tasks and outputs of this agent, messages to its inbox, instructions with a task for it" }),
      status: z.string().min(1).max(40).optional().openapi({ description: "A task's or output's status, an instruction's phase (messages have none)" }),
      from: qTime("Created at or after"),
      to: qTime("Created before (a bare date: up to the end of that day)"),
      cursor: qCursor,
      limit: z.coerce.number().int().min(1).max(100).optional().openapi({ description: "Page size (20)" }),
    }),
  },
  responses: { 200: jsonOk(SearchAllResult, "Hits, best first, with counts per kind"), ...readErrors },
});

export function registerSearchRoutes(app: V1App) {
  app.openapi(searchAllRoute, (c) => {
    const q = c.req.valid("query");
    const result = searchAll(c.get("ctx"), {
      q: q.q,
      kinds: q.kinds ? (q.kinds.split(",") as SearchKind[]) : undefined,
      agent: q.agent,
      status: q.status,
      from: toMs(q.from, false),
      to: toMs(q.to, true),
      cursor: q.cursor,
      limit: q.limit,
    });
    return c.json(result, 200);
  });
}
