/** One server-sent event as read off the wire. */
export interface SseEvent {
  event: string;
  id?: string;
  // Tests poke into event data freely.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data: any;
  at: number;
}

/**
 * An open GET /api/events (or any SSE) stream read with real fetch: every event in order, when the
 * stream ended, and a way to wait for an event.
 */
export class SseStream {
  readonly events: SseEvent[] = [];
  endedAt: number | null = null;
  /** The body of an answer that was not a stream (a problem document). */
  body: string | null = null;
  readonly ended: Promise<void>;
  private waiters = new Set<() => void>();

  private constructor(
    readonly response: Response,
    private readonly abort: AbortController,
  ) {
    this.ended = this.read();
  }

  /** Opens the stream; resolves once the response head arrived (status may be anything). */
  static async open(url: string, headers: Record<string, string>): Promise<SseStream> {
    const abort = new AbortController();
    const response = await fetch(url, { headers: { accept: "text/event-stream", ...headers }, signal: abort.signal });
    return new SseStream(response, abort);
  }

  /** The JSON body of an answer that was not a stream, once read. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async problem(): Promise<any> {
    await this.ended;
    return this.body ? JSON.parse(this.body) : null;
  }

  get changes(): SseEvent[] {
    return this.events.filter((e) => e.event === "change");
  }

  private async read() {
    if (!this.response.ok || !this.response.body) {
      this.body = await this.response.text().catch(() => "");
      this.finish();
      return;
    }
    const reader = this.response.body.getReader();
    const decoder = new TextDecoder();
    let buf = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buf.indexOf("\n\n")) >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const e: Partial<SseEvent> = { event: "message", at: Date.now() };
          let data = "";
          for (const line of block.split("\n")) {
            if (line.startsWith("event: ")) e.event = line.slice(7);
            else if (line.startsWith("id: ")) e.id = line.slice(4);
            else if (line.startsWith("data: ")) data += line.slice(6);
          }
          if (block.split("\n").every((l) => l.startsWith(":"))) continue; // a comment (ping)
          e.data = data ? JSON.parse(data) : null;
          this.events.push(e as SseEvent);
          this.waiters.forEach((w) => w());
        }
      }
    } catch {
      // aborted or reset: an end too
    }
    this.finish();
  }

  private finish() {
    this.endedAt = Date.now();
    this.waiters.forEach((w) => w());
  }

  /** Waits for the first event (from the start) matching `pred`; throws after `ms` or when the stream ends first. */
  async waitFor(pred: (e: SseEvent) => boolean, ms = 5000): Promise<SseEvent> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.events.find(pred);
      if (hit) return hit;
      if (this.endedAt !== null) throw new Error(`stream ended before the event came (${JSON.stringify(this.events.map((e) => e.event))})`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no such event within ${ms} ms (${JSON.stringify(this.events.map((e) => e.data?.verb ?? e.event))})`);
      let wake: () => void = () => {};
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
        this.waiters.add(wake);
      });
      this.waiters.delete(wake);
    }
  }

  /** Resolves true when the stream ended within `ms`, false otherwise. */
  async endsWithin(ms: number): Promise<boolean> {
    return Promise.race([this.ended.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
  }

  close() {
    this.abort.abort();
  }
}
