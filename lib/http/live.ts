import "server-only";
import type { Db } from "@/db/client";
import type { Actor } from "@/lib/auth/actor";
import { authenticate, lastEventId, listEvents, onCommitted, taskOwner, type EventDto } from "@/lib/services";
import { systemActor } from "@/lib/auth/actor";
import type { LiveEvent } from "@/lib/domain/vocabulary";

export type { LiveEvent };

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

/** What a stream was opened with: checked again while it is open (a revoked token ends it). */
export interface StreamCredential {
  bearer: string | null;
  sessionId: string | null;
}

export interface SubscribeOptions {
  credential?: StreamCredential;
  /** Called once when the credential stops being valid (revoked, expired, its person deleted or signed out). */
  onRevoked?: () => void;
}

type Subscriber = { actor: Actor; send: (e: LiveEvent) => void } & SubscribeOptions;

// Changes to these are what authenticate() answers from: after one, every open stream is checked.
const ACCESS_KINDS = new Set(["token", "user", "session"]);

/** How many event streams one token or one person may hold open (AGENTDESK_MAX_EVENT_STREAMS, default 20). */
export function maxStreamsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.AGENTDESK_MAX_EVENT_STREAMS);
  return Number.isInteger(n) && n > 0 ? n : 20;
}

/** Whose allowance an open stream counts against: the agent token, or the person (all their sessions and tokens). */
export function streamOwnerKey(actor: Actor): string {
  if (actor.kind === "agent") return `token:${actor.tokenId ?? `agent:${actor.name}`}`;
  if (actor.kind === "person") return `person:${actor.id}`;
  return `system:${actor.name}`;
}

/**
 * One reader of the events table for the whole process, fanning out to every open stream. It wakes
 * on commits made in this process and on the engine's word of other processes' commits (other
 * replicas on PostgreSQL), and polls every 500 ms for the rest (the CLI, the folder bridge on
 * SQLite), so every change reaches the browser whoever wrote it. It reads in the engine's follower
 * order (listEvents after an id), so an event committed late with a lower id is not skipped.
 */
export class LiveHub {
  private subs = new Set<Subscriber>();
  private last = 0;
  private timer: NodeJS.Timeout | null = null;
  private unlisten: (() => void) | null = null;
  private taskOwner = new Map<string, string>();
  private pumping = false;
  private open = new Map<string, number>();

  constructor(private db: Db) {}

  get size() {
    return this.subs.size;
  }

  /**
   * Takes one of `max` places for streams of this owner (streamOwnerKey), synchronously, so a burst
   * of openings cannot all pass the check before any is counted. Returns the release (idempotent),
   * or null when every place is taken.
   */
  reserve(owner: string, max: number): (() => void) | null {
    const n = this.open.get(owner) ?? 0;
    if (n >= max) return null;
    this.open.set(owner, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(owner) ?? 1) - 1;
      if (left > 0) this.open.set(owner, left);
      else this.open.delete(owner);
    };
  }

  subscribe(actor: Actor, send: (e: LiveEvent) => void, options: SubscribeOptions = {}): () => void {
    const sub: Subscriber = { actor, send, ...options };
    if (this.subs.size === 0) this.start();
    this.subs.add(sub);
    return () => {
      this.subs.delete(sub);
      if (this.subs.size === 0) this.stop();
    };
  }

  /**
   * Events after `afterId` that this actor may see (a reconnect's catch-up), at most `limit` read;
   * `complete` is false when there were more.
   */
  replay(actor: Actor, afterId: number, limit = 1000): { events: LiveEvent[]; complete: boolean } {
    const events: LiveEvent[] = [];
    let read = 0;
    let after = afterId;
    // listEvents reads at most 500 at a time.
    while (read < limit) {
      const want = Math.min(500, limit - read);
      const rows = listEvents({ db: this.db, actor: systemActor("live") }, { afterId: after, limit: want });
      for (const r of rows) {
        const e = toLiveEvent(r);
        if (this.visible(actor, e)) events.push(e);
      }
      read += rows.length;
      if (rows.length < want) return { events, complete: true };
      after = rows[rows.length - 1].id;
    }
    return { events, complete: listEvents({ db: this.db, actor: systemActor("live") }, { afterId: after, limit: 1 }).length === 0 };
  }

  closeAll() {
    this.stop();
    this.subs.clear();
  }

  private start() {
    this.last = lastEventId({ db: this.db });
    const local = onCommitted(() => this.pump());
    // Commits by other replicas (PostgreSQL LISTEN/NOTIFY; nothing on SQLite, where the poll finds them).
    const external = this.db.$engine.onExternalCommit(() => this.pump());
    this.unlisten = () => {
      local();
      external();
    };
    // Every 500 ms: commits by other processes (a safety net where they wake us), and credentials
    // that expired or were revoked without an event this process saw.
    this.timer = setInterval(() => {
      this.pump();
      this.recheck();
    }, 500);
    this.timer.unref();
  }

  /**
   * Authenticates every open stream's credential again, as a REST request would now, and ends the
   * streams whose credential no longer holds. authenticate() answers from its cache, which forgets
   * everything on a change to tokens, users or sessions in this process and on any commit by another
   * (lib/services/access/auth-cache.ts), so this costs a map lookup per stream unless something changed.
   */
  private recheck() {
    if (this.subs.size === 0 || !this.db.$engine.open) return;
    const now = Date.now();
    const seen = new Map<string, Actor | null>();
    for (const s of [...this.subs]) {
      if (!s.credential) continue;
      const key = `${s.credential.bearer ?? ""}\n${s.credential.sessionId ?? ""}`;
      let actor = seen.get(key);
      if (actor === undefined) {
        actor = authenticate(this.db, s.credential, now);
        seen.set(key, actor);
      }
      if (actor && sameActor(actor, s.actor)) {
        s.actor = actor; // a changed role or name takes effect
        continue;
      }
      this.subs.delete(s);
      s.onRevoked?.();
    }
    if (this.subs.size === 0) this.stop();
  }

  private stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.unlisten?.();
    this.unlisten = null;
  }

  private pump() {
    if (this.pumping || this.subs.size === 0 || !this.db.$engine.open) return;
    this.pumping = true;
    try {
      for (;;) {
        const batch = listEvents({ db: this.db, actor: systemActor("live") }, { afterId: this.last, limit: 500 });
        if (batch.length === 0) break;
        this.last = batch[batch.length - 1].id;
        for (const raw of batch) {
          // A token revoked, a person deleted, a session ended: streams it ends get nothing after it.
          if (ACCESS_KINDS.has(raw.entityKind)) this.recheck();
          const e = toLiveEvent(raw);
          for (const s of this.subs) if (this.visible(s.actor, e)) s.send(e);
        }
        if (batch.length < 500) break;
      }
    } finally {
      this.pumping = false;
    }
  }

  /**
   * People see every change. An agent sees what it could read over REST: changes to the tasks
   * assigned to it now, and messages in its own inbox or sent by it (canSeeMessage). A message event
   * is judged by the message alone, never by the task it names: a message to another agent's inbox
   * about this agent's task is not this agent's to see.
   */
  private visible(actor: Actor, e: LiveEvent): boolean {
    if (actor.kind !== "agent") return true;
    if (e.entityKind === "message") {
      if (e.inbox === actor.name) return true;
      return e.verb === "message.sent" && e.actor.kind === "agent" && e.actor.id === actor.name;
    }
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

function sameActor(a: Actor, b: Actor): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === "person") return a.id === (b as typeof a).id;
  return a.name === (b as typeof a).name;
}
