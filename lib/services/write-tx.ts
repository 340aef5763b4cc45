import "server-only";
import { engineOf, type TxOptions } from "@/db/engine";
import type { ServiceContext, Tx } from "./context";
import { immediateTx, nowOf } from "./context";
import { appendEvent, appendEventLater, notifyCommit, type EventInput } from "./events";
import { invalidateAuthCache } from "./access/auth-cache";
import { invalidateMemoryPermissions } from "./access/memory-permissions";

/**
 * Runs a write verb: one write transaction of the engine (SQLite: IMMEDIATE, the write lock taken
 * up front, so a second process waits on the busy timeout instead of failing on a lock upgrade;
 * PostgreSQL: SERIALIZABLE, run again from the start on a serialisation failure; `opts.isolation`
 * "read-committed" for a verb whose guarded statements need no more, as the claim), then tells the
 * live stream. Never await inside `fn`.
 */
export interface WriteTxOptions extends TxOptions {
  /**
   * The verb makes no use of the ids `emit` returns (it gets 0): its events are written with the
   * transaction's next statement or its COMMIT (Engine.later), one round trip less per event on
   * PostgreSQL. The hot agent verbs (claim, step, activity, send).
   */
  eventsLater?: boolean;
}

export function writeTx<T>(ctx: ServiceContext, fn: (tx: Tx, at: number, emit: (e: EventInput) => number) => T, opts?: WriteTxOptions): T {
  const at = nowOf(ctx);
  let lastEventId = 0;
  const result = immediateTx(
    ctx.db,
    (tx) => {
      // Per attempt: on PostgreSQL the transaction may run again, and a rolled-back attempt's events are gone.
      lastEventId = 0;
      let accessTold = false;
      return fn(tx, at, (e) => {
        const access = e.entityKind === "token" || e.entityKind === "user" || e.entityKind === "session";
        // Tokens, people and sessions are what authenticate() remembers: forget it all on any change.
        if (access) invalidateAuthCache();
        // An agent added, updated or deactivated: its Memory Ownership may have changed.
        if (e.entityKind === "agent") invalidateMemoryPermissions();
        // Other processes' caches: the engine's change version moves with this commit (SQLite's
        // data_version by itself; PostgreSQL's access epoch row, bumped here, once per transaction).
        if ((access || e.entityKind === "agent") && !accessTold) {
          accessTold = true;
          engineOf(tx).accessChanged(tx);
        }
        if (opts?.eventsLater) {
          appendEventLater(tx, ctx.actor, at, e, (id) => (lastEventId = id));
          return 0;
        }
        lastEventId = appendEvent(tx, ctx.actor, at, e);
        return lastEventId;
      });
    },
    opts,
  );
  if (lastEventId && ctx.onCommit) ctx.onCommit(lastEventId);
  else if (lastEventId) notifyCommit(lastEventId);
  return result;
}
