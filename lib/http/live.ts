import type { Db } from "@/db/client";
import type { Actor } from "@/lib/auth/actor";
import { lastEventId, listEvents, onCommitted, taskOwner, type EventDto } from "@/lib/services";
import { systemActor } from "@/lib/auth/actor";

/** What a browser receives per change: enough to know which queries to refetch, no content. */
export interface LiveEvent {
  id: number;
  verb: string;
  entityKind: string;
  entityId: string;
  taskId: string | null;
  instructionId: string | null;
  actor: { kind: string; id: string };
  inbox?: string;
}

export function toLiveEvent(e: EventDto): LiveEvent {
  const after = (e.after ?? {}) as Record<string, unknown>;
  const before = (e.before ?? {}) as Record<string, unknown>;
  const inbox = (after.to ?? after.inbox ?? before.inbox) as string | undefined;
  return {
    id: e.id,
    verb: e.verb,
    entityKind: e.entityKind,
    entityId: e.entityId,
    taskId: e.taskId,
    instructionId: e.instructionId,
    actor: e.actor,
    ...(e.entityKind === "message" && typeof inbox === "string" ? { inbox } : {}),
  };
}

type Subscriber = { actor: Actor; send: (e: LiveEvent) => void };

/**
 * One reader of the events table for the whole process, fanning out to every open stream. It wakes
 * on commits made in this process and polls every 500 ms for commits made by others (the CLI, the
 * folder bridge), so every change reaches the browser whoever wrote it.
 */
export class LiveHub {
  private subs = new Set<Subscriber>();
  private last = 0;
  private timer: NodeJS.Timeout | null = null;
  private unlisten: (() => void) | null = null;
  private taskOwner = new Map<string, string>();
  private pumping = false;

  constructor(private db: Db) {}

  get size() {
    return this.subs.size;
  }

  subscribe(actor: Actor, send: (e: LiveEvent) => void): () => void {
    const sub = { actor, send };
    if (this.subs.size === 0) this.start();
    this.subs.add(sub);
    return () => {
      this.subs.delete(sub);
      if (this.subs.size === 0) this.stop();
    };
  }

  /** Events after `afterId` that this actor may see (a reconnect's catch-up). */
  replay(actor: Actor, afterId: number, limit = 1000): LiveEvent[] {
    return listEvents({ db: this.db, actor: systemActor("live") }, { afterId, limit })
      .map(toLiveEvent)
      .filter((e) => this.visible(actor, e));
  }

  closeAll() {
    this.stop();
    this.subs.clear();
  }

  private start() {
    this.last = lastEventId({ db: this.db });
    this.unlisten = onCommitted(() => this.pump());
    this.timer = setInterval(() => this.pump(), 500);
    this.timer.unref();
  }

  private stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.unlisten?.();
    this.unlisten = null;
  }

  private pump() {
    if (this.pumping || this.subs.size === 0 || !this.db.$client.open) return;
    this.pumping = true;
    try {
      for (;;) {
        const batch = listEvents({ db: this.db, actor: systemActor("live") }, { afterId: this.last, limit: 500 });
        if (batch.length === 0) break;
        this.last = batch[batch.length - 1].id;
        for (const raw of batch) {
          const e = toLiveEvent(raw);
          for (const s of this.subs) if (this.visible(s.actor, e)) s.send(e);
        }
        if (batch.length < 500) break;
      }
    } finally {
      this.pumping = false;
    }
  }

  /** People see every change; an agent only changes to its own tasks and its own inbox. */
  private visible(actor: Actor, e: LiveEvent): boolean {
    if (actor.kind !== "agent") return true;
    if (e.inbox === actor.name) return true;
    if (!e.taskId) return false;
    let owner = this.taskOwner.get(e.taskId);
    if (owner === undefined || e.verb === "task.reassigned") {
      owner = taskOwner({ db: this.db }, e.taskId) ?? "";
      if (this.taskOwner.size > 10_000) this.taskOwner.clear();
      this.taskOwner.set(e.taskId, owner);
    }
    return owner === actor.name;
  }
}
