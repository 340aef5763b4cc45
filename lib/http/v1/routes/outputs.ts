import "server-only";
import { createRoute, z } from "@hono/zod-openapi";
import { ApproveOutputInput, RequestChangesInput, approveOutput, getOutput, listReviewQueue, requestOutputChanges } from "@/lib/services";
import { bodyFrom, jsonBody, jsonOk, optionalJsonBody, readErrors, writeErrors, type V1App } from "../route-kit";
import { OutputDetail, OutputIdParam, OutputStatus, ReviewQueueItem, ReviewResult, qCursor, qLimit } from "../schemas";

const tags = ["Outputs"];

const queueRoute = createRoute({
  method: "get",
  path: "/outputs",
  operationId: "listReviewQueue",
  tags,
  summary: "The review queue",
  description:
    "Outputs in a review status, oldest first. The default (pending_review) is the review queue: the latest version of each task in review, the versions a person can decide now. An agent sees only outputs of its own tasks.",
  request: { query: z.strictObject({ status: OutputStatus.exclude(["superseded"]).optional(), cursor: qCursor, limit: qLimit }) },
  responses: {
    200: jsonOk(z.object({ items: z.array(ReviewQueueItem), nextCursor: z.string().nullable(), total: z.number().int() }).openapi("ReviewQueuePage"), "A page of outputs"),
    ...readErrors,
  },
});

const getRouteDef = createRoute({
  method: "get",
  path: "/outputs/{outputId}",
  operationId: "getOutput",
  tags,
  summary: "Get an output",
  description: "The version asked for, every version of the same task (for diffs) and their reviews.",
  request: { params: OutputIdParam },
  responses: { 200: jsonOk(OutputDetail, "The output"), ...readErrors },
});

const approveRoute = createRoute({
  method: "post",
  path: "/outputs/{outputId}/approve",
  operationId: "approveOutput",
  tags,
  summary: "Approve an output (people)",
  description: "A task waiting in review is completed.",
  request: { params: OutputIdParam, body: optionalJsonBody(bodyFrom(ApproveOutputInput.shape, ["outputId"])) },
  responses: { 200: jsonOk(ReviewResult, "The review"), ...writeErrors },
});

const changesRoute = createRoute({
  method: "post",
  path: "/outputs/{outputId}/request-changes",
  operationId: "requestOutputChanges",
  tags,
  summary: "Request changes (people)",
  description: "The comment reaches the agent's inbox as a review_response and the task goes back to in_progress.",
  request: { params: OutputIdParam, body: jsonBody(bodyFrom(RequestChangesInput.shape, ["outputId"])) },
  responses: { 200: jsonOk(ReviewResult.extend({ messageId: z.string() }), "The review"), ...writeErrors },
});

export function registerOutputRoutes(app: V1App) {
  app.openapi(queueRoute, (c) => c.json(listReviewQueue(c.get("ctx"), c.req.valid("query")), 200));
  app.openapi(getRouteDef, (c) => c.json(getOutput(c.get("ctx"), c.req.valid("param").outputId), 200));
  app.openapi(approveRoute, (c) => c.json(approveOutput(c.get("ctx"), { ...c.req.valid("json"), outputId: c.req.valid("param").outputId }), 200));
  app.openapi(changesRoute, (c) => c.json(requestOutputChanges(c.get("ctx"), { ...c.req.valid("json"), outputId: c.req.valid("param").outputId }), 200));
}
