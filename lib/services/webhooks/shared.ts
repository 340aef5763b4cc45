import "server-only";
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { webhookFormats, type WebhookRow } from "@/db/schema";
import type { EventInput } from "../events";
import { singleLineText } from "../validate";
import { WebhookEventList } from "./subscriptions";

/** Webhook events (`webhook.created`...) are about a webhook. */
export const WEBHOOK_ENTITY: EventInput["entityKind"] = "webhook";

export const iso = (ms: number | null | undefined): string | null => (ms == null ? null : new Date(ms).toISOString());

/** `whsec_` and 32 random bytes: the HMAC key, returned on creation and rotation only. */
export const newWebhookSecret = () => `whsec_${randomBytes(32).toString("base64url")}`;

/** Where a URL points, without its path or query (a Slack URL is itself a secret): for events and logs. */
export const urlOrigin = (url: string) => {
  try {
    return new URL(url).origin;
  } catch {
    return "";
  }
};

const url = z.string().trim().min(1, "A URL is required").max(2000);

export const CreateWebhookInput = z.strictObject({
  url,
  description: singleLineText(200).default(""),
  events: WebhookEventList,
  format: z.enum(webhookFormats).default("json"),
  active: z.boolean().default(true),
});

export const UpdateWebhookInput = z.strictObject({
  webhookId: z.string().min(1),
  url: url.optional(),
  description: singleLineText(200).optional(),
  events: WebhookEventList.optional(),
  format: z.enum(webhookFormats).optional(),
  /** false pauses (nothing is sent, events meanwhile are skipped), true resumes. */
  active: z.boolean().optional(),
});

export interface WebhookStats {
  pending: number;
  lastAttempt: { at: string; statusCode: number | null; error: string | null; ok: boolean } | null;
}

export function webhookDto(w: WebhookRow, stats?: WebhookStats) {
  return {
    id: w.id,
    url: w.url,
    description: w.description,
    events: w.events,
    format: w.format,
    active: w.active,
    /** The secret's last four characters, to tell which one a receiver holds. */
    secretHint: `…${w.secret.slice(-4)}`,
    createdBy: w.createdBy,
    createdAt: iso(w.createdAt)!,
    updatedAt: iso(w.updatedAt)!,
    pending: stats?.pending ?? 0,
    lastAttempt: stats?.lastAttempt ?? null,
  };
}
export type WebhookDto = ReturnType<typeof webhookDto>;
