"use client";
import { useEffect, useRef, useSyncExternalStore } from "react";
import { useQueryClient, type QueryClient, type QueryKey } from "@tanstack/react-query";
import { PEOPLE_INBOX, SSE_EVENTS, type LiveEvent } from "@/lib/domain/vocabulary";
import { keys } from "./keys";

/** One row of the change feed, as the server streams it (`event: change`, `data: {...}`): the server's LiveEvent. */
export type ChangeEvent = LiveEvent;

export type LiveState = "connecting" | "live" | "reconnecting";

/** The query keys an event touches. Prefix keys: invalidating `["tasks"]` reaches every board and list. */
export function keysForEvent(e: ChangeEvent): QueryKey[] {
  // Log flushes of a running agent come several times a second: only the run panel listens to them.
  if (e.verb === "run.output") return [];
  const out: QueryKey[] = [keys.allEvents, keys.overview];
  if (e.taskId) out.push(keys.task(e.taskId), keys.tasks);
  if (e.instructionId) out.push(keys.instruction(e.instructionId), keys.instructions);
  switch (e.entityKind) {
    case "task":
      // A task's status is an agent's load (open / running / blocked / in review); a reassignment
      // moves it between two agents the event does not name: every agent view.
      out.push(keys.tasks, keys.agents, keys.allAgentDetails);
      break;
    case "step":
      // Steps change a task's progress, never an agent's load (a step that blocks the task also
      // appends a task event).
      out.push(keys.tasks);
      break;
    case "output":
      out.push(keys.outputs, keys.output(e.entityId), keys.counts, keys.tasks);
      break;
    case "review":
      out.push(keys.outputs, keys.allOutputDetails, keys.counts, keys.tasks, keys.inboxes, keys.allThreads);
      break;
    case "message":
      out.push(e.inbox ? keys.inbox(e.inbox) : keys.inboxes, keys.allThreads, keys.message(e.entityId), keys.counts);
      // the inbox picker's unread counts live under the same prefix
      if (e.inbox) out.push(keys.inboxes);
      // An agent's unread count: the agents list and that agent's page. A message sent to or marked
      // in the people's inbox is no agent's; a file import may move one between inboxes: every agent.
      if (!e.inbox || (e.verb !== "message.sent" && e.verb !== "message.marked")) out.push(keys.agents, keys.allAgentDetails);
      else if (e.inbox !== PEOPLE_INBOX) out.push(keys.agents, keys.agent(e.inbox));
      break;
    case "instruction":
      out.push(keys.instructions, keys.instruction(e.entityId));
      break;
    case "agent":
      out.push(keys.agents, keys.agent(e.entityId));
      break;
    case "run":
      // Queued, started, finished, cancel requested: the agents' run lists (the task's own is
      // useRunsLive's); a finished run has written its tokens and cost.
      out.push(keys.allAgentRuns);
      if (e.verb === "run.finished") out.push(keys.usage);
      break;
    default:
      break;
  }
  return out;
}

/* ---------- a tiny store: connection state and raw-event subscribers ---------- */

let state: LiveState = "connecting";
const stateListeners = new Set<() => void>();
/**
 * `relayed`: the event came from the tab that holds the stream (over the BroadcastChannel), not from
 * this tab's own stream. Exactly one tab of a browser receives each event unrelayed (the leader; each
 * tab when the APIs to share are missing): what must happen once per browser (a system notification)
 * happens there.
 */
export type LiveListener = (e: ChangeEvent, from: { relayed: boolean }) => void;
const eventListeners = new Set<LiveListener>();

function setState(s: LiveState) {
  if (s === state) return;
  state = s;
  stateListeners.forEach((l) => l());
}

/** The connection state, for the sidebar indicator. */
function subscribeState(l: () => void) {
  stateListeners.add(l);
  return () => {
    stateListeners.delete(l);
  };
}
const getState = () => state;
const getServerState = (): LiveState => "connecting";

export function useLiveState(): LiveState {
  return useSyncExternalStore(subscribeState, getState, getServerState);
}

/** Subscribe to every change event (after the keys it touches are invalidated). */
export function subscribeLiveEvents(listener: LiveListener): () => void {
  eventListeners.add(listener);
  return () => eventListeners.delete(listener);
}

/** React flavour of subscribeLiveEvents; the listener may change between renders. */
export function useLiveEvent(listener: LiveListener): void {
  useEffect(() => subscribeLiveEvents(listener), [listener]);
}

/* ---------- what this document received: where a new stream resumes, what a late view missed ---------- */

/**
 * How many of the last events a document keeps at least, for views mounted after they arrived
 * (eventsSince). Trimmed in one go when twice as many have gathered, not on every event.
 */
const RECENT = 500;
let recent: ChangeEvent[] = [];
let evicted = false;
/**
 * Where this document's first stream resumes: the earliest of the last events when its parts were
 * drawn on the server (noteDrawn), until a stream opens.
 */
let start: number | null = null;
let opened = false;
const gapListeners = new Set<() => void>();

function remember(e: ChangeEvent) {
  recent.push(e);
  if (recent.length >= 2 * RECENT) {
    recent = recent.slice(-RECENT);
    evicted = true;
  }
}

const lastReceived = (): number | null => (recent.length ? recent[recent.length - 1].id : null);

/** Where a stream opened now resumes (`?after=`): after the last event this document received, else where its parts were drawn. */
function resumeAfter(): number | null {
  opened = true;
  return lastReceived() ?? start;
}

/**
 * Records `lastEventId`, the last event when a part of this document was drawn on the server (the
 * shell, a chart). Until the document's first stream opens, that stream will resume after the
 * earliest of them, so nothing that happened between the server render and the stream's opening is
 * missed: the server replays it.
 */
export function noteDrawn(lastEventId: number): void {
  if (!opened) start = start === null ? lastEventId : Math.min(start, lastEventId);
}

/**
 * The events this document received after the one with id `drawnAt` (the last event when a view was
 * drawn on the server; the stream delivers in the order lastEventId reads), for a view mounted after
 * they arrived. Empty when the view was drawn ahead of what has arrived (what arrives next is newer
 * than it; told by id, exact on SQLite, where ids are commit order); null when it cannot be told (drawn
 * longer ago than the events kept, or before where the first stream resumed).
 */
export function eventsSince(drawnAt: number): ChangeEvent[] | null {
  for (let i = recent.length - 1; i >= 0; i--) if (recent[i].id === drawnAt) return recent.slice(i + 1);
  const last = lastReceived() ?? start;
  if (last !== null && drawnAt > last) return [];
  if (drawnAt === start && !evicted) return recent.slice();
  if (!opened && recent.length === 0) return [];
  return null;
}

/**
 * `listener` is called when this document may have missed events: the stream could not replay all
 * it missed, or the tab began by following another tab's stream. Whatever is drawn from something
 * else than the query cache should be fetched again.
 */
export function subscribeLiveGaps(listener: () => void): () => void {
  gapListeners.add(listener);
  return () => gapListeners.delete(listener);
}

/** For tests: forget what was received, as a new document. */
export function resetLiveMemory(): void {
  recent = [];
  evicted = false;
  start = null;
  opened = false;
}

/* ---------- invalidation, batched so a burst of events costs one refetch per key ---------- */

/**
 * Invalidates `queryKey` because the server announced a change. React Query refetches the active
 * queries under it, cancelling a refetch already in flight, except a query's first fetch (it holds
 * no data yet): that one is reused, and its answer may have been read before the change. The task
 * page's runs panel kept showing a finished run as running that way, its run.finished having
 * arrived while the panel's first fetch of the runs was on its way. So each query whose first fetch
 * was in flight is fetched again once that fetch has settled.
 */
export async function invalidateLive(client: QueryClient, queryKey: QueryKey): Promise<void> {
  const firstFetches = client
    .getQueryCache()
    .findAll({ queryKey })
    .filter((q) => q.state.fetchStatus !== "idle" && q.state.data === undefined);
  await client.invalidateQueries({ queryKey });
  await Promise.all(firstFetches.map((q) => client.invalidateQueries({ queryKey: q.queryKey, exact: true })));
}

let pending = new Map<string, QueryKey>();
let flushTimer: ReturnType<typeof setTimeout> | null = null;

function schedule(client: QueryClient, ks: QueryKey[]) {
  for (const k of ks) pending.set(JSON.stringify(k), k);
  if (flushTimer) return;
  flushTimer = setTimeout(() => {
    const batch = [...pending.values()];
    pending = new Map();
    flushTimer = null;
    for (const queryKey of batch) void invalidateLive(client, queryKey);
  }, 16);
}

/** Whether a stream's `ready` says its replay stopped short (more events were missed than it replays). */
function readyIncomplete(data: string): boolean {
  try {
    return (JSON.parse(data) as { complete?: unknown })?.complete === false;
  } catch {
    return false;
  }
}

function parse(data: string): ChangeEvent | null {
  try {
    const e = JSON.parse(data) as ChangeEvent;
    return e && typeof e === "object" && typeof e.verb === "string" ? e : null;
  } catch {
    return null;
  }
}

/* ---------- the connection: one EventSource per browser ---------- */

/*
 * Browsers allow about six HTTP/1.1 connections per origin, and each open tab would hold one
 * stream. So the tabs elect a leader with the Web Locks API: only the leader opens
 * `EventSource("/api/events")` and relays what it receives over a BroadcastChannel. When the
 * leader's tab closes its lock is released and another tab takes over (and refetches, since it may
 * have missed events while the stream changed hands). Without these APIs (plain-HTTP LAN hosts are
 * not a secure context) each tab keeps its own stream.
 */
const LOCK = "agentdesk-live-events";
const CHANNEL = "agentdesk-live-events";

/**
 * A tab that joins says `hello` with where it was drawn (`after`, see noteDrawn); the leader answers
 * `welcome` to it with its state and the events it received since then (eventsSince), which the new
 * tab missed while it was not yet on the channel, or null when it cannot tell (the new tab then
 * refetches and redraws).
 */
type Wire =
  | { t: "event"; e: ChangeEvent }
  | { t: "state"; s: LiveState }
  | { t: "gap" }
  | { t: "hello"; from: string; after: number | null }
  | { t: "welcome"; to: string; s: LiveState; events: ChangeEvent[] | null };

export interface Connection {
  stop: () => void;
}

let refs = 0;
let conn: Connection | null = null;

/** Opens the document's connection (useLiveEvents; exported for tests). */
export function connect(client: QueryClient): Connection {
  const dispatch = (e: ChangeEvent, relayed = false) => {
    remember(e);
    schedule(client, keysForEvent(e));
    eventListeners.forEach((l) => {
      try {
        l(e, { relayed });
      } catch (err) {
        console.error(err);
      }
    });
  };

  const canShare = typeof BroadcastChannel !== "undefined" && typeof navigator !== "undefined" && !!navigator.locks;
  const channel = canShare ? new BroadcastChannel(CHANNEL) : null;
  let leader = false;
  let stopped = false;
  const me = Math.random().toString(36).slice(2);
  const post = (m: Wire) => channel?.postMessage(m);

  /** Events may have been missed that no stream can replay: refetch what is shown, tell the views drawn otherwise. */
  const gap = () => {
    schedule(client, [[]]);
    gapListeners.forEach((l) => l());
  };

  /** Opens and keeps one EventSource alive until `close` is called. */
  const stream = (onEvent: (e: ChangeEvent) => void, onState: (s: LiveState) => void, onGap: () => void) => {
    let es: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | null = null;
    let attempts = 0;
    const open = () => {
      // A new EventSource resumes where this document left off; the browser's own reconnects of
      // this one send Last-Event-ID, which the server prefers.
      const after = resumeAfter();
      es = new EventSource(after === null ? "/api/events" : `/api/events?after=${after}`);
      const onMessage = (m: MessageEvent<string>) => {
        const e = parse(m.data);
        if (e) onEvent(e);
      };
      es.addEventListener(SSE_EVENTS.change, onMessage as EventListener);
      es.addEventListener(SSE_EVENTS.ready, ((m: MessageEvent<string>) => {
        if (readyIncomplete(m.data)) onGap();
      }) as EventListener);
      es.onmessage = onMessage;
      es.onopen = () => {
        attempts = 0;
        // Refetch what is shown whenever a stream opens: on the first open this covers changes made
        // between the server render and the subscription; later, a stream we had to re-create.
        schedule(client, [[]]);
        onState("live");
      };
      es.onerror = () => {
        onState("reconnecting");
        if (es && es.readyState === EventSource.CLOSED) {
          // The browser gave up (e.g. a non-200 answer): try again ourselves, backing off.
          es.close();
          es = null;
          const delay = Math.min(30_000, 1000 * 2 ** Math.min(attempts++, 5));
          retry = setTimeout(open, delay);
        }
      };
    };
    open();
    return () => {
      if (retry) clearTimeout(retry);
      es?.close();
      es = null;
    };
  };

  if (!channel) {
    const close = stream(dispatch, setState, gap);
    return {
      stop: () => {
        stopped = true;
        close();
      },
    };
  }

  channel.onmessage = (m: MessageEvent<Wire>) => {
    const msg = m.data;
    if (!msg || typeof msg !== "object") return;
    if (msg.t === "event" && !leader) dispatch(msg.e, true);
    else if (msg.t === "state" && !leader) setState(msg.s);
    else if (msg.t === "gap" && !leader) gap();
    else if (msg.t === "welcome" && msg.to === me && !leader) {
      setState(msg.s);
      if (msg.events === null) gap();
      else {
        const have = new Set(recent.map((r) => r.id));
        for (const e of msg.events) if (!have.has(e.id)) dispatch(e, true);
      }
    } else if (msg.t === "hello" && leader) post({ t: "welcome", to: msg.from, s: state, events: msg.after === null ? null : eventsSince(msg.after) });
  };
  post({ t: "hello", from: me, after: start });

  const abort = new AbortController();
  let releaseLock: (() => void) | null = null;
  const lead = async (afterFollowing: boolean) => {
    if (stopped) return;
    leader = true;
    // While the stream changed hands some events may have gone unseen: the new stream resumes after
    // the last one this tab received (relayed), and what is shown is refetched.
    if (afterFollowing) schedule(client, [[]]);
    const close = stream(
      (e) => {
        dispatch(e);
        post({ t: "event", e });
      },
      (s) => {
        setState(s);
        post({ t: "state", s });
      },
      () => {
        gap();
        post({ t: "gap" });
      },
    );
    await new Promise<void>((resolve) => (releaseLock = resolve));
    close();
    leader = false;
  };
  void navigator.locks
    .request(LOCK, { ifAvailable: true }, async (lock) => {
      if (!lock) return "follow";
      await lead(false);
      return "done";
    })
    .then((r: unknown) => {
      // Another tab leads: follow it, and take over when its lock is released.
      if (r === "follow" && !stopped) return navigator.locks.request(LOCK, { signal: abort.signal }, () => lead(true));
    })
    .catch(() => {
      // aborted while waiting: this tab stopped before it became the leader
    });

  return {
    stop: () => {
      stopped = true;
      abort.abort();
      releaseLock?.();
      channel.close();
    },
  };
}

/**
 * Mount once, in the signed-in shell: keeps the change stream open and invalidates the query keys
 * each event touches. Returns the connection state. `since`: the last event when the server drew
 * the shell (lastEventId), where the document's first stream resumes.
 */
export function useLiveEvents(since?: number): LiveState {
  const client = useQueryClient();
  const drawnAt = useRef(since);
  useEffect(() => {
    if (drawnAt.current !== undefined) noteDrawn(drawnAt.current);
    refs++;
    if (!conn) conn = connect(client);
    return () => {
      refs--;
      // Let a quick remount (React strict mode, fast refresh) keep the same connection.
      setTimeout(() => {
        if (refs === 0 && conn) {
          conn.stop();
          conn = null;
          setState("connecting");
        }
      }, 500);
    };
  }, [client]);
  return useLiveState();
}
