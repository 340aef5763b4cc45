import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { QueryClient } from "@tanstack/react-query";
import { connect, eventsSince, noteDrawn, resetLiveMemory, subscribeLiveGaps, type ChangeEvent, type Connection } from "./live";
import { missedSinceDrawn } from "./charts";

// The document's change stream without React or a browser: connect() with a stand-in for the
// browser's EventSource (Node has none) that records the URL each stream opens and lets the test
// deliver what the server would send. One tab (no Web Locks in Node: no sharing).

class FakeEventSource {
  static CLOSED = 2;
  static opened: FakeEventSource[] = [];
  readyState = 0;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onmessage: ((m: MessageEvent<string>) => void) | null = null;
  private listeners = new Map<string, ((m: MessageEvent<string>) => void)[]>();
  constructor(readonly url: string) {
    FakeEventSource.opened.push(this);
  }
  addEventListener(type: string, l: (m: MessageEvent<string>) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), l]);
  }
  close() {
    this.readyState = FakeEventSource.CLOSED;
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  send(type: string, data: unknown) {
    for (const l of this.listeners.get(type) ?? []) l({ data: JSON.stringify(data) } as MessageEvent<string>);
  }
  /** The browser gives up on it (e.g. a non-200 answer). */
  fail() {
    this.readyState = FakeEventSource.CLOSED;
    this.onerror?.();
  }
}

const change = (id: number, verb = "step.done", taskId = "tsk_1"): ChangeEvent => ({
  id,
  verb,
  entityKind: verb.split(".")[0],
  entityId: taskId,
  taskId,
  instructionId: null,
  actor: { kind: "agent", id: "backend-developer" },
});
const overview = { kind: "overview" } as const;
const last = () => FakeEventSource.opened[FakeEventSource.opened.length - 1];

let conn: Connection | null = null;
beforeEach(() => {
  FakeEventSource.opened = [];
  vi.stubGlobal("EventSource", FakeEventSource);
  resetLiveMemory();
});
afterEach(() => {
  conn?.stop();
  conn = null;
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("where a document's change stream resumes", () => {
  it("the first stream resumes after the earliest of the drawings (shell, charts) made before it opened", () => {
    noteDrawn(12);
    noteDrawn(9);
    noteDrawn(11);
    conn = connect(new QueryClient());
    expect(last().url).toBe("/api/events?after=9");
    // Drawings after the stream opened no longer move it.
    noteDrawn(3);
    expect(eventsSince(3)).toBeNull();
  });

  it("without any drawing, it follows from now (no catch-up asked)", () => {
    conn = connect(new QueryClient());
    expect(last().url).toBe("/api/events");
  });

  it("a stream opened again after the browser gave up resumes after the last event received", () => {
    vi.useFakeTimers();
    noteDrawn(5);
    conn = connect(new QueryClient());
    const first = last();
    first.open();
    first.send("change", change(6));
    first.send("change", change(8));
    first.fail();
    vi.advanceTimersByTime(1000);
    expect(FakeEventSource.opened).toHaveLength(2);
    expect(last().url).toBe("/api/events?after=8");
  });
});

describe("what a view drawn on the server missed before it was mounted", () => {
  it("the events received after its drawing: a completion redraws the overview, a step does not", () => {
    noteDrawn(20);
    conn = connect(new QueryClient());
    const es = last();
    es.open();
    es.send("change", change(21, "step.done"));
    es.send("change", change(22, "task.completed"));
    es.send("change", change(23, "step.done"));
    expect(eventsSince(21)!.map((e) => e.id)).toEqual([22, 23]);
    expect(missedSinceDrawn(overview, 20)).toBe(true);
    expect(missedSinceDrawn(overview, 21)).toBe(true);
    expect(missedSinceDrawn(overview, 22)).toBe(false);
    // Drawn ahead of what arrived: what arrives next is newer than the drawing.
    expect(missedSinceDrawn(overview, 30)).toBe(false);
  });

  it("before anything arrived, a drawing where the stream resumes missed nothing: the stream will bring it", () => {
    noteDrawn(40);
    conn = connect(new QueryClient());
    last().open();
    expect(eventsSince(40)).toEqual([]);
    expect(missedSinceDrawn(overview, 40)).toBe(false);
  });

  it("a drawing older than what is kept cannot be told: the view redraws (the last 500 at least are kept)", () => {
    noteDrawn(0);
    conn = connect(new QueryClient());
    const es = last();
    es.open();
    // Up to 999 are kept; the 1000th trims them to the last 500 (ids 501-1000).
    for (let id = 1; id <= 999; id++) es.send("change", change(id));
    expect(eventsSince(0)!.length).toBe(999);
    es.send("change", change(1000));
    expect(eventsSince(0)).toBeNull();
    expect(missedSinceDrawn(overview, 0)).toBe(true);
    expect(eventsSince(500)).toBeNull();
    expect(eventsSince(501)!.length).toBe(499);
  });
});

describe("a catch-up that stopped short", () => {
  it("tells the views drawn on the server and refetches every query; a complete one does neither", async () => {
    noteDrawn(0);
    const client = new QueryClient();
    client.setQueryData(["tasks"], { items: [] });
    conn = connect(client);
    let gaps = 0;
    const off = subscribeLiveGaps(() => gaps++);
    const es = last();
    es.send("ready", { complete: true });
    await new Promise((r) => setTimeout(r, 30));
    expect(gaps).toBe(0);
    expect(client.getQueryState(["tasks"])!.isInvalidated).toBe(false);
    es.send("ready", { complete: false });
    await new Promise((r) => setTimeout(r, 30));
    expect(gaps).toBe(1);
    expect(client.getQueryState(["tasks"])!.isInvalidated).toBe(true);
    off();
  });
});

/** The Web Locks API as a browser has it, for tabs in one process (Node has none): exclusive locks by name, granted in order. */
function fakeLocks() {
  const held = new Set<string>();
  const waiting = new Map<string, (() => void)[]>();
  const release = (name: string) => {
    held.delete(name);
    waiting.get(name)?.shift()?.();
  };
  return {
    async request(name: string, opts: { ifAvailable?: boolean; signal?: AbortSignal }, cb: (lock: object | null) => unknown) {
      if (held.has(name)) {
        if (opts.ifAvailable) return cb(null);
        await new Promise<void>((resolve, reject) => {
          const q = waiting.get(name) ?? [];
          waiting.set(name, q);
          const go = () => resolve();
          q.push(go);
          opts.signal?.addEventListener("abort", () => {
            q.splice(q.indexOf(go), 1);
            reject(new DOMException("aborted", "AbortError"));
          });
        });
      }
      held.add(name);
      try {
        return await cb({ name });
      } finally {
        release(name);
      }
    },
  };
}

/** A tab: its own copy of the module (its own memory of events), as each browser tab has. */
async function tab() {
  vi.resetModules();
  const live = await import("./live");
  const charts = await import("./charts");
  return { live, charts };
}
const settle = () => new Promise((r) => setTimeout(r, 50));

describe("tabs that share one stream", () => {
  it("a tab that joins gets from the leader what arrived after it was drawn; one drawn too long ago redraws; the next leader resumes where it was", async () => {
    vi.stubGlobal("navigator", { locks: fakeLocks() });
    const tabs: Connection[] = [];
    try {
      const a = await tab();
      a.live.noteDrawn(10);
      tabs.push(a.live.connect(new QueryClient()));
      await settle();
      const stream = last();
      expect(stream.url).toBe("/api/events?after=10");
      stream.open();
      stream.send("change", change(11, "task.completed"));
      stream.send("change", change(12, "step.done"));

      // Drawn at 10, joins after 11 and 12 arrived at the leader: it gets both.
      const b = await tab();
      b.live.noteDrawn(10);
      tabs.push(b.live.connect(new QueryClient()));
      await settle();
      expect(b.live.eventsSince(10)!.map((e) => e.id)).toEqual([11, 12]);
      expect(b.charts.missedSinceDrawn(overview, 10)).toBe(true);

      // Drawn at 12: nothing missed, nothing to redraw.
      const c = await tab();
      c.live.noteDrawn(12);
      let cGaps = 0;
      c.live.subscribeLiveGaps(() => cGaps++);
      tabs.push(c.live.connect(new QueryClient()));
      await settle();
      expect(c.live.eventsSince(12)).toEqual([]);
      expect(cGaps).toBe(0);

      // Drawn at 3, before where the leader's stream began: the leader cannot tell, the tab redraws.
      const d = await tab();
      d.live.noteDrawn(3);
      let dGaps = 0;
      d.live.subscribeLiveGaps(() => dGaps++);
      tabs.push(d.live.connect(new QueryClient()));
      await settle();
      expect(dGaps).toBe(1);

      // Events after joining are relayed to every tab.
      stream.send("change", change(13, "output.approved"));
      await settle();
      expect(c.live.eventsSince(12)!.map((e) => e.id)).toEqual([13]);

      // The leader's tab closes: the next tab takes the stream and resumes after the last event it received.
      const opened = FakeEventSource.opened.length;
      tabs.shift()!.stop();
      await settle();
      expect(FakeEventSource.opened.length).toBe(opened + 1);
      expect(last().url).toBe("/api/events?after=13");
    } finally {
      for (const t of tabs) t.stop();
    }
  });
});
