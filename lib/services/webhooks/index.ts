import "server-only";
// Outgoing webhooks (docs/webhooks.md): the admin's verbs, and those of the delivery worker (lib/ops/webhooks.ts).
export { createWebhook } from "./create-webhook";
export { updateWebhook } from "./update-webhook";
export { deleteWebhook } from "./delete-webhook";
export { rotateWebhookSecret } from "./rotate-webhook-secret";
export { sendTestWebhook } from "./send-test-webhook";
export { listWebhooks, getWebhook, listWebhookDeliveries, type WebhookDeliveryDto } from "./queries";
export { CreateWebhookInput, UpdateWebhookInput, type WebhookDto } from "./shared";
export { checkWebhookUrl, isPrivateAddress, allowPrivateWebhookTargets } from "./url-guard";
export { signWebhookBody, verifyWebhookSignature, SIGNATURE_HEADER, DELIVERY_HEADER, EVENT_HEADER } from "./signature";
export { collectWebhookDeliveries, dueWebhookDeliveries, claimWebhookDelivery, recordWebhookAttempt, releaseWebhookDelivery, DEFAULT_WEBHOOK_BACKOFF_MS } from "./deliveries";
