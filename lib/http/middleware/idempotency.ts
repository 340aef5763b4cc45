import "server-only";
import { createHash } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { actorId, type Actor } from "@/lib/auth/actor";
import { completeIdempotencyKey, PENDING, releaseIdempotencyKey, reserveIdempotencyKey, sweepIdempotencyRecords, type IdempotencyRecord } from "@/lib/services/idempotency/idempotency-records";
import type { ApiEnv } from "../types";
import { problem, problemResponse } from "../problem";

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * Answers that are the outcome of running the request, and so are stored for retries. Refusals that
 * happen before anything runs (malformed or invalid input, authentication, rate limits) are not
 * stored, so a client can fix the request and send it again with the same key.
 */
const STORED = (status: number) => (status >= 200 && status < 300) || status === 403 || status === 404 || status === 409;

/** How long a request waits for another process's request with the same key before answering 409, and how often it looks. */
export const IN_PROGRESS_WAIT_MS = 2_000;
const POLL_MS = 50;

function actorKey(actor: Actor): string {
  return actor.kind === "person" ? `person:${actor.id}` : `${actor.kind}:${actorId(actor)}`;
}

// Requests with the same key running at the same moment in this process: the second waits for the
// first's answer (no polling). Across processes the reservation row does it (below).
const inFlight = new Map<string, Promise<void>>();
let lastSweep = 0;

/**
 * `Idempotency-Key` on POST: the first answer (status and body) is stored per (actor, key) with a
 * hash of method, path and body. A retry with the same key gets the stored answer and nothing runs
 * twice; the same key on a different request is refused with 422 `idempotency_mismatch`. Keys are
 * kept for 24 hours. Runs after the body was read (prepareJsonBody) and after requireActor.
 *
 * The key is reserved in the database before the request runs, so this holds across server
 * replicas: whoever inserts the reservation runs the request; a request finding another's
 * reservation waits for its answer (polling, up to IN_PROGRESS_WAIT_MS), then answers 409
 * `idempotency_in_progress`. A reservation left by a process that died is taken over after a minute.
 */
export const idempotency: MiddlewareHandler<ApiEnv> = async (c, next) => {
  const key = c.req.header("idempotency-key");
  if (c.req.method !== "POST" || key === undefined) return next();
  if (!KEY_PATTERN.test(key)) {
    return problemResponse(c, problem(422, "validation_failed", "Idempotency-Key must be 1 to 255 visible ASCII characters", { fields: { "Idempotency-Key": ["Invalid key"] } }));
  }
  const db = c.get("db");
  const actor = actorKey(c.get("actor"));
  const url = new URL(c.req.url);
  const body = await c.req.text();
  const requestHash = createHash("sha256").update(`${c.req.method}\n${url.pathname}${url.search}\n${body}`).digest("hex");
  const slot = `${actor}\u0000${key}`;

  for (let waited = 0; inFlight.has(slot) && waited < 100; waited++) await inFlight.get(slot);

  const answer = (stored: IdempotencyRecord) => {
    if (stored.requestHash !== requestHash) {
      return problemResponse(c, problem(422, "idempotency_mismatch", "This Idempotency-Key was already used for a different request; use a new key for a new request"));
    }
    if (stored.status === PENDING) return null;
    const headers: Record<string, string> = { "idempotent-replayed": "true" };
    if (stored.body !== "") headers["content-type"] = stored.status >= 400 ? "application/problem+json" : "application/json";
    return new Response(stored.status === 204 ? null : stored.body, { status: stored.status, headers });
  };

  let reservedAt: number | null = null;
  for (const deadline = Date.now() + IN_PROGRESS_WAIT_MS; ;) {
    const r = reserveIdempotencyKey(db, actor, key, requestHash);
    if (r.mine) {
      reservedAt = r.reservedAt;
      break;
    }
    const res = answer(r.record);
    if (res) return res;
    // Another process is running this key's request: wait for its answer, briefly.
    if (Date.now() >= deadline) {
      return problemResponse(c, problem(409, "idempotency_in_progress", "A request with this Idempotency-Key is still running; retry in a moment to get its answer"), { "retry-after": "1" });
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }

  let done!: () => void;
  inFlight.set(slot, new Promise<void>((r) => (done = r)));
  let kept = false;
  try {
    await next();
    const res = c.res;
    if (STORED(res.status)) {
      const text = res.status === 204 ? "" : await res.clone().text();
      const now = Date.now();
      completeIdempotencyKey(db, actor, key, reservedAt, { status: res.status, body: text, at: now });
      kept = true;
      if (now - lastSweep > 60 * 60_000) {
        lastSweep = now;
        sweepIdempotencyRecords(db, now);
      }
    }
  } finally {
    try {
      // Not an answer to keep (or the request failed): the key is free again.
      if (!kept && db.$engine.open) releaseIdempotencyKey(db, actor, key, reservedAt);
    } finally {
      inFlight.delete(slot);
      done();
    }
  }
};
