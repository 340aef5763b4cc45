import type { Db } from "@/db/client";
import type { Actor } from "@/lib/auth/actor";

export interface ServiceContext {
  db: Db;
  actor: Actor;
  /** The clock, injectable so lease and ordering tests need no sleeping. */
  now?: () => number;
  /** Called after a write commits, with the id of the last event it appended (wakes live streams). */
  onCommit?: (lastEventId: number) => void;
}

export const nowOf = (ctx: Pick<ServiceContext, "now">): number => (ctx.now ? ctx.now() : Date.now());

export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
