import "server-only";
import { createRoute, z } from "@hono/zod-openapi";
import {
  CreateWebhookInput,
  UpdateWebhookInput,
  createWebhook,
  deleteWebhook,
  getWebhook,
  listWebhookDeliveries,
  listWebhooks,
  rotateWebhookSecret,
  sendTestWebhook,
  updateWebhook,
} from "@/lib/services";
import { getWebhookWorker } from "@/lib/ops/webhooks";
import { bodyFrom, jsonBody, jsonOk, optionalJsonBody, readErrors, writeErrors, type V1App } from "../route-kit";

const tags = ["Webhooks"];
const DateTime = z.string().openapi({ format: "date-time", example: "2026-11-20T09:30:00.000Z" });

const WebhookIdParam = z.object({
  webhookId: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: "webhookId", in: "path" }, example: "whk_01jd3k5m8q0000000000000000" }),
});

const Webhook = z
  .looseObject({
    id: z.string(),
    url: z.string(),
    description: z.string(),
    events: z.array(z.string()).openapi({ description: "Verbs (`task.blocked`), prefixes (`task.*`), `*`, or group names (see `eventGroups`)" }),
    format: z.enum(["json", "slack"]).openapi({ description: '`json`: AgentDesk\'s payload; `slack`: `{"text": ...}` for a Slack-compatible incoming webhook' }),
    active: z.boolean().openapi({ description: "false: paused" }),
    secretHint: z.string().openapi({ description: "The secret's last four characters; the secret itself is shown only on creation and rotation" }),
    createdBy: z.string(),
    createdAt: DateTime,
    updatedAt: DateTime,
    pending: z.number().int().openapi({ description: "Deliveries waiting to be sent or retried" }),
    lastAttempt: z.object({ at: DateTime, statusCode: z.number().int().nullable(), error: z.string().nullable(), ok: z.boolean() }).nullable(),
  })
  .openapi("Webhook");

const WebhookWithSecret = Webhook.extend({
  secret: z.string().openapi({ description: "The signing secret, shown this once (docs/webhooks.md: verifying the AgentDesk-Signature header)" }),
}).openapi("WebhookWithSecret");

const WebhookDelivery = z
  .looseObject({
    id: z.string().openapi({ description: "Sent as the AgentDesk-Delivery header: the same on every attempt" }),
    webhookId: z.string(),
    eventId: z.number().int().nullable(),
    verb: z.string(),
    status: z.enum(["pending", "delivered", "failed"]),
    attempts: z.number().int(),
    nextAttemptAt: DateTime.nullable(),
    lastStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
    createdAt: DateTime,
    finishedAt: DateTime.nullable(),
    log: z.array(
      z.object({
        attempt: z.number().int(),
        at: DateTime,
        durationMs: z.number().int(),
        statusCode: z.number().int().nullable(),
        error: z.string().nullable(),
        responseExcerpt: z.string(),
      }),
    ),
  })
  .openapi("WebhookDelivery");

const listRoute = createRoute({
  method: "get",
  path: "/webhooks",
  operationId: "listWebhooks",
  tags,
  summary: "List webhooks (admin)",
  description: "Never the secrets. `eventGroups` lists the group names a webhook may subscribe to.",
  responses: { 200: jsonOk(z.object({ items: z.array(Webhook), eventGroups: z.array(z.object({ key: z.string(), label: z.string() })) }), "Webhooks"), ...readErrors },
});

const getRoute = createRoute({
  method: "get",
  path: "/webhooks/{webhookId}",
  operationId: "getWebhook",
  tags,
  summary: "One webhook (admin)",
  request: { params: WebhookIdParam },
  responses: { 200: jsonOk(Webhook, "The webhook"), ...readErrors },
});

const createRouteDef = createRoute({
  method: "post",
  path: "/webhooks",
  operationId: "createWebhook",
  tags,
  summary: "Add a webhook (admin)",
  description:
    "http(s) URLs only; loopback and private addresses are refused unless the server runs with `AGENTDESK_WEBHOOKS_ALLOW_PRIVATE=1`. The signing secret is in the answer this once; keep it. Only events after this one are delivered.",
  request: { body: jsonBody(bodyFrom(CreateWebhookInput.shape)) },
  responses: { 201: jsonOk(WebhookWithSecret, "The webhook, with its secret"), ...writeErrors },
});

const updateRoute = createRoute({
  method: "patch",
  path: "/webhooks/{webhookId}",
  operationId: "updateWebhook",
  tags,
  summary: "Change a webhook, pause or resume it (admin)",
  description: "`active: false` pauses it: nothing is sent and the events of the pause are skipped; `active: true` resumes with the events from then on.",
  request: { params: WebhookIdParam, body: jsonBody(bodyFrom(UpdateWebhookInput.shape, ["webhookId"])) },
  responses: { 200: jsonOk(Webhook, "The webhook"), ...writeErrors },
});

const deleteRoute = createRoute({
  method: "delete",
  path: "/webhooks/{webhookId}",
  operationId: "deleteWebhook",
  tags,
  summary: "Delete a webhook (admin)",
  description: "Its pending deliveries and its log go with it.",
  request: { params: WebhookIdParam },
  responses: { 200: jsonOk(Webhook, "The deleted webhook"), ...writeErrors },
});

const rotateRoute = createRoute({
  method: "post",
  path: "/webhooks/{webhookId}/rotate-secret",
  operationId: "rotateWebhookSecret",
  tags,
  summary: "A new signing secret (admin)",
  description: "Shown this once. Every attempt from now on, retries included, is signed with it.",
  request: { params: WebhookIdParam, body: optionalJsonBody(z.strictObject({})) },
  responses: { 200: jsonOk(WebhookWithSecret, "The webhook, with its new secret"), ...writeErrors },
});

const testRoute = createRoute({
  method: "post",
  path: "/webhooks/{webhookId}/test",
  operationId: "sendTestWebhook",
  tags,
  summary: "Send a test delivery (admin)",
  description: "Queued and sent by the delivery worker like any other (signed, retried, in the log); the answer names the delivery to look for.",
  request: { params: WebhookIdParam, body: optionalJsonBody(z.strictObject({})) },
  responses: {
    202: jsonOk(z.object({ deliveryId: z.string(), webhookId: z.string(), status: z.literal("pending"), createdAt: DateTime }), "Queued"),
    ...writeErrors,
  },
});

const deliveriesRoute = createRoute({
  method: "get",
  path: "/webhooks/{webhookId}/deliveries",
  operationId: "listWebhookDeliveries",
  tags,
  summary: "The delivery log of a webhook (admin)",
  description: "The newest deliveries first, each with its attempts: status code, time, duration, the first 500 characters of the answer.",
  request: { params: WebhookIdParam, query: z.strictObject({ limit: z.coerce.number().int().min(1).max(200).optional() }) },
  responses: { 200: jsonOk(z.object({ items: z.array(WebhookDelivery) }), "Deliveries"), ...readErrors },
});

export function registerWebhookRoutes(app: V1App) {
  app.openapi(listRoute, (c) => c.json(listWebhooks(c.get("ctx")), 200));
  app.openapi(createRouteDef, (c) => c.json(createWebhook(c.get("ctx"), c.req.valid("json")), 201));
  app.openapi(getRoute, (c) => c.json(getWebhook(c.get("ctx"), c.req.valid("param").webhookId), 200));
  app.openapi(updateRoute, (c) => c.json(updateWebhook(c.get("ctx"), { ...c.req.valid("json"), webhookId: c.req.valid("param").webhookId }), 200));
  app.openapi(deleteRoute, (c) => c.json(deleteWebhook(c.get("ctx"), c.req.valid("param").webhookId), 200));
  app.openapi(rotateRoute, (c) => c.json(rotateWebhookSecret(c.get("ctx"), c.req.valid("param").webhookId), 200));
  app.openapi(testRoute, (c) => {
    // The dashboard's address for the link in the body: the worker's (AGENTDESK_URL), else this request's.
    const baseUrl = getWebhookWorker()?.baseUrl ?? new URL(c.req.url).origin;
    return c.json(sendTestWebhook(c.get("ctx"), { webhookId: c.req.valid("param").webhookId, baseUrl }), 202);
  });
  app.openapi(deliveriesRoute, (c) => c.json({ items: listWebhookDeliveries(c.get("ctx"), c.req.valid("param").webhookId, c.req.valid("query")) }, 200));
}
