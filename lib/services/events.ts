import "server-only";
import { sql } from "drizzle-orm";
import { events } from "@/db/schema";
import { actorId, type Actor } from "@/lib/auth/actor";
import type { Tx } from "./context";
import { jsonText, prepared } from "./prepared";
import { engineOf } from "@/db/engine";

const p = (name: string) => sql`${sql.placeholder(name)}`;
const insertEvent = (tx: Tx) =>
  prepared(tx, "events.insert", (d) =>
    d
      .insert(events)
      .values({
        at: p("at"),
        actorKind: p("actorKind"),
        actorId: p("actorId"),
        verb: p("verb"),
        entityKind: p("entityKind"),
        entityId: p("entityId"),
        instructionId: p("instructionId"),
        taskId: p("taskId"),
        before: p("before"),
        after: p("after"),
      })
      .returning({ id: events.id })
      .prepare(),
  );

export interface EventInput {
  verb: string;
  entityKind: "instruction" | "task" | "step" | "output" | "review" | "message" | "agent" | "user" | "token" | "session" | "run" | "webhook";
  entityId: string;
  instructionId?: string | null;
  taskId?: string | null;
  before?: unknown;
  after?: unknown;
}

const eventRow = (actor: Actor, at: number, e: EventInput) => ({
  at,
  actorKind: actor.kind,
  actorId: actorId(actor),
  verb: e.verb,
  entityKind: e.entityKind,
  entityId: e.entityId,
  instructionId: e.instructionId ?? null,
  taskId: e.taskId ?? null,
  before: jsonText(e.before),
  after: jsonText(e.after),
});

/** Appends one event inside the caller's transaction: the write and its event commit together. */
export function appendEvent(tx: Tx, actor: Actor, at: number, e: EventInput): number {
  return insertEvent(tx).get(eventRow(actor, at, e))!.id;
}

/**
 * appendEvent for a caller that needs the event's id only after the commit: the insert goes with the
 * transaction's next statement or its COMMIT (Engine.later: no round trip of its own on
 * PostgreSQL), and `then` gets the id when it has run.
 */
export function appendEventLater(tx: Tx, actor: Actor, at: number, e: EventInput, then: (id: number) => void): void {
  const insert = insertEvent(tx);
  engineOf(tx).later(
    () => insert.get(eventRow(actor, at, e)),
    (row) => then(row!.id),
  );
}

const busKey = Symbol.for("agentdesk.commit-listeners");
type G = typeof globalThis & { [busKey]?: Set<(id: number) => void> };

/** Process-wide listeners (the SSE hub) for commits made in this process. */
export function onCommitted(listener: (id: number) => void): () => void {
  const g = globalThis as G;
  g[busKey] ??= new Set();
  g[busKey].add(listener);
  return () => g[busKey]?.delete(listener);
}

/** Tells this process's listeners that a commit appended events up to `id`. */
export function notifyCommit(id: number) {
  const set = (globalThis as G)[busKey];
  if (set) for (const l of set) l(id);
}
