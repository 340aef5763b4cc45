// The browsers of the live-update measurement, in their own process (bench/live.ts starts it): N
// open GET /api/events streams read with fetch. Probe events (steps of tsk_probe_* tasks) are timed
// against the send times the parent reports over IPC; every other event is only counted per stream.
// Messages from the parent: {type:"sent", key, t} and {type:"report"}; to the parent: {type:"open"},
// {type:"report", ...}.
const [base, count, cookieList] = [process.argv[2], Number(process.argv[3]), process.argv[4]];
const cookies = cookieList.split(",");
const now = () => performance.timeOrigin + performance.now();

const sent = new Map<string, number>();
const pending = new Map<string, number[]>();
const latencies: number[] = [];
const counts = new Array<number>(count).fill(0);
let errors = 0;
let opened = 0;
const controllers: AbortController[] = [];

function received(key: string, t: number) {
  const s = sent.get(key);
  if (s !== undefined) latencies.push(t - s);
  else {
    let list = pending.get(key);
    if (!list) pending.set(key, (list = []));
    list.push(t);
  }
}

async function stream(i: number) {
  const ac = new AbortController();
  controllers.push(ac);
  try {
    const res = await fetch(`${base}/api/events`, { headers: { cookie: cookies[i % cookies.length], accept: "text/event-stream" }, signal: ac.signal });
    if (!res.ok || !res.body) throw new Error(`status ${res.status}`);
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buf = "";
    let announced = false;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const t = now();
      buf += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buf.indexOf("\n\n")) >= 0) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        if (block.startsWith("event: ready") || block.includes("\nevent: ready")) {
          if (!announced) {
            announced = true;
            if (++opened === count) process.send?.({ type: "open" });
          }
          continue;
        }
        const data = block.split("\n").find((l) => l.startsWith("data: "));
        if (!data) continue;
        counts[i]++;
        const e = JSON.parse(data.slice(6)) as { verb: string; entityId: string };
        if (e.entityId.startsWith("tsk_probe_")) received(`${e.verb}|${e.entityId}`, t);
      }
    }
  } catch (err) {
    if ((err as Error).name !== "AbortError") errors++;
  }
}

process.on("message", (m: { type: string; key?: string; t?: number }) => {
  if (m.type === "sent") {
    sent.set(m.key!, m.t!);
    const early = pending.get(m.key!);
    if (early) {
      for (const t of early) latencies.push(t - m.t!);
      pending.delete(m.key!);
    }
  } else if (m.type === "report") {
    for (const ac of controllers) ac.abort();
    process.send?.({ type: "report", latencies, counts, errors, opened, unmatched: [...pending.values()].reduce((n, l) => n + l.length, 0) }, () => process.exit(0));
  }
});

for (let i = 0; i < count; i++) void stream(i);
