import "server-only";
import type { ServiceContext, Tx } from "./context";
import { immediateTx, nowOf } from "./context";
import { appendEvent, notifyCommit, type EventInput } from "./events";
import { invalidateAuthCache } from "./access/auth-cache";
import { invalidateMemoryPermissions } from "./access/memory-permissions";

/**
 * Runs a write verb: one synchronous IMMEDIATE transaction (the write lock is taken up front, so a
 * second process waits on the busy timeout instead of failing on a lock upgrade), then tells the
 * live stream. Never await inside `fn`.
 */
export function writeTx<T>(ctx: ServiceContext, fn: (tx: Tx, at: number, emit: (e: EventInput) => number) => T): T {
  const at = nowOf(ctx);
  let lastEventId = 0;
  const result = immediateTx(ctx.db, (tx) =>
    fn(tx, at, (e) => {
      // Tokens, people and sessions are what authenticate() remembers: forget it all on any change.
      if (e.entityKind === "token" || e.entityKind === "user" || e.entityKind === "session") invalidateAuthCache();
      // An agent added, updated or deactivated: its Memory Ownership may have changed.
      if (e.entityKind === "agent") invalidateMemoryPermissions();
      lastEventId = appendEvent(tx, ctx.actor, at, e);
      return lastEventId;
    }),
  );
  if (lastEventId && ctx.onCommit) ctx.onCommit(lastEventId);
  else if (lastEventId) notifyCommit(lastEventId);
  return result;
}
