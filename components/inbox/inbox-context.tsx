"use client";
import * as React from "react";
import { PEOPLE_INBOX } from "@/lib/queries/links";

export interface InboxMe {
  email: string;
  name: string;
}

export interface InboxEnv {
  /** The inbox being read: `hitl` (the people's) or an agent's name. */
  inbox: string;
  me: InboxMe;
  /** Viewers read only. */
  canWrite: boolean;
  /** Agent name → colour from its definition (for swatches). */
  agentColors: Record<string, string | null>;
  /** Thread ids in list order, kept by the thread list (for "next thread" after archiving). */
  setThreadOrder: (ids: string[]) => void;
  threadOrder: () => string[];
}

const Ctx = React.createContext<InboxEnv | null>(null);

export function InboxProvider({ value, children }: { value: Omit<InboxEnv, "threadOrder" | "setThreadOrder">; children: React.ReactNode }) {
  const order = React.useRef<string[]>([]);
  const env = React.useMemo(
    () => ({
      ...value,
      setThreadOrder: (ids: string[]) => {
        order.current = ids;
      },
      threadOrder: () => order.current,
    }),
    [value],
  );
  return <Ctx.Provider value={env}>{children}</Ctx.Provider>;
}

export function useInboxEnv(): InboxEnv {
  const env = React.useContext(Ctx);
  if (!env) throw new Error("useInboxEnv outside <InboxProvider>");
  return env;
}

/**
 * Opening a message marks it read only in the people's inbox. An agent's unread messages are its
 * to-do list (it polls `?unread=true`): a person looking over its shoulder must not consume them.
 * Marking by hand (`u`) still works everywhere.
 */
export function autoMarksRead(inbox: string): boolean {
  return inbox === PEOPLE_INBOX;
}

/** The broadcast folder (`broadcast`) or one of its channels (`broadcast:{channel}`). */
export function isBroadcastInbox(inbox: string): boolean {
  return inbox === "broadcast" || inbox.startsWith("broadcast:");
}

export function inboxLabel(inbox: string): string {
  if (inbox === PEOPLE_INBOX) return "People";
  if (inbox === "broadcast") return "Broadcast";
  if (inbox.startsWith("broadcast:")) return `#${inbox.slice("broadcast:".length)}`;
  return inbox;
}

/** Filters of the thread list, from the URL. */
export interface InboxFilters {
  unread: boolean;
  archived: boolean;
  type: string | undefined;
}

export function filtersOf(sp: URLSearchParams | { get(name: string): string | null }): InboxFilters {
  const type = sp.get("type")?.trim();
  return { unread: sp.get("unread") === "1", archived: sp.get("archived") === "1", type: type && /^[a-z][a-z0-9_]{0,39}$/.test(type) ? type : undefined };
}

export const isDefaultFilters = (f: InboxFilters) => !f.unread && !f.archived && !f.type;
