import "server-only";
// Broadcast channels (the folder protocol's `_communication/broadcast/{channel}/`): a named group of
// recipients. A channel's messages are stored with `to_inbox = 'broadcast:{channel}'`, so an inbox
// page, unread counts and search work for a channel as for any inbox. Its members are the agents its
// files name as recipients (`to:`, `recipients:`, `members:` lists), collected by the folder bridge;
// the channel `all` reaches every agent. The people read every channel; reviewers and admins post to
// one through the ordinary send verb (`to: "broadcast:backend-team"`); an agent reads the channels it
// is a member of and posts to them when its Memory Ownership lets it post broadcasts. See
// docs/folder-bridge.md.
import { asc, eq } from "drizzle-orm";
import { broadcastChannels } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import type { Tx } from "../context";
import { ServiceError } from "../errors";

export const CHANNEL_PREFIX = "broadcast:";
export const CHANNEL_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** The channel every agent is a member of. */
export const EVERYONE_CHANNEL = "all";

export const isChannelInbox = (inbox: string): boolean => inbox.startsWith(CHANNEL_PREFIX) && CHANNEL_NAME_PATTERN.test(inbox.slice(CHANNEL_PREFIX.length));
/** The channel an inbox name means (`broadcast:backend-team` → `backend-team`), or null. */
export const channelOf = (inbox: string): string | null => (isChannelInbox(inbox) ? inbox.slice(CHANNEL_PREFIX.length) : null);
export const channelInbox = (channel: string): string => `${CHANNEL_PREFIX}${channel}`;

type Db = Pick<Tx, "select">;

export function channelRow(db: Db, channel: string) {
  return db.select().from(broadcastChannels).where(eq(broadcastChannels.name, channel)).get();
}

/** Every channel, by name. */
export function allChannels(db: Db) {
  return db.select().from(broadcastChannels).orderBy(asc(broadcastChannels.name)).all();
}

/** Is the agent a member of the channel (named by its files, or the channel of everyone)? */
export function isMember(db: Db, channel: string, agent: string): boolean {
  if (channel === EVERYONE_CHANNEL) return !!channelRow(db, channel);
  return channelRow(db, channel)?.members.includes(agent) ?? false;
}

/** May this actor read the channel behind `inbox`? People always; an agent when it is a member. */
export function canReadChannel(db: Db, actor: Actor, inbox: string): boolean {
  const channel = channelOf(inbox);
  if (channel === null) return false;
  if (actor.kind !== "agent") return !!channelRow(db, channel);
  return isMember(db, channel, actor.name);
}

/**
 * Makes sure the channel exists and lists these members (added to the ones it has: a file that names
 * fewer recipients removes nobody). Inside the caller's transaction.
 */
export function ensureChannel(tx: Tx, at: number, channel: string, members: readonly string[]): void {
  if (!CHANNEL_NAME_PATTERN.test(channel)) throw new ServiceError("validation_failed", `Unusable channel name ${JSON.stringify(channel)}`);
  const row = channelRow(tx, channel);
  if (!row) {
    tx.insert(broadcastChannels)
      .values({ name: channel, members: [...new Set(members)].sort(), createdAt: at, updatedAt: at })
      .run();
    return;
  }
  const merged = [...new Set([...row.members, ...members])].sort();
  if (merged.length !== row.members.length) tx.update(broadcastChannels).set({ members: merged, updatedAt: at }).where(eq(broadcastChannels.name, channel)).run();
}
