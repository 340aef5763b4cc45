import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * The `AgentDesk-Signature` header (docs/webhooks.md): `t=<unix seconds>,v1=<hex>` where hex is
 * HMAC-SHA256(secret, `${t}.${body}`). The timestamp is signed with the body, so a receiver that
 * refuses old timestamps refuses a replayed request.
 */
export const SIGNATURE_HEADER = "AgentDesk-Signature";
export const DELIVERY_HEADER = "AgentDesk-Delivery";
export const EVENT_HEADER = "AgentDesk-Event";

export function signWebhookBody(secret: string, body: string, unixSeconds: number): string {
  const v1 = createHmac("sha256", secret).update(`${unixSeconds}.${body}`).digest("hex");
  return `t=${unixSeconds},v1=${v1}`;
}

/**
 * What a receiver does (the same code as the snippet in docs/webhooks.md): recompute the HMAC over
 * the raw body, compare in constant time, refuse a timestamp more than `toleranceS` away.
 */
export function verifyWebhookSignature(secret: string, body: string, header: string | null | undefined, opts: { nowS?: number; toleranceS?: number } = {}): boolean {
  if (!header) return false;
  const parts = Object.fromEntries(header.split(",").map((kv) => kv.split("=", 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1) return false;
  const now = opts.nowS ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - t) > (opts.toleranceS ?? 300)) return false;
  const expected = Buffer.from(createHmac("sha256", secret).update(`${t}.${body}`).digest("hex"));
  const got = Buffer.from(parts.v1);
  return got.length === expected.length && timingSafeEqual(got, expected);
}
