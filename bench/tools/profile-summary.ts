// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by function and by package/file,
// so a profile can be read without DevTools. `npx tsx bench/tools/profile-summary.ts FILE [--top 30] [--skip-ms 5000]`.
import fs from "node:fs";

// Frames of this repository are shown relative to its root, wherever it is checked out.
const repoRoot = `${process.cwd()}/`;

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export function summarise(file: string, top = 30, skipMs = 0) {
  const p = JSON.parse(fs.readFileSync(file, "utf8")) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  // Start-up (module loading, the first compilations) is skipped when asked: the steady state is what a load test shows.
  let clock = 0;
  p.samples.forEach((id, i) => {
    clock += p.timeDeltas[i] ?? 0;
    if (clock / 1000 < skipMs) return;
    self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fnTime = new Map<string, number>();
  const pkgTime = new Map<string, number>();
  for (const [id, t] of self) {
    const n = byId.get(id)!;
    const url = n.callFrame.url.replace(/^file:\/\//, "");
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    const where = m ? m[1] : url.includes(repoRoot) ? url.slice(url.indexOf(repoRoot) + repoRoot.length) : url || `(${n.callFrame.functionName || "native"})`;
    const fn = `${n.callFrame.functionName || "(anonymous)"} ${where}:${n.callFrame.lineNumber + 1}`;
    fnTime.set(fn, (fnTime.get(fn) ?? 0) + t);
    const pkg = m
      ? m[1]
      : url.includes(repoRoot)
        ? url
            .slice(url.indexOf(repoRoot) + repoRoot.length)
            .split("/")
            .slice(0, 2)
            .join("/")
        : n.callFrame.functionName || "(native)";
    pkgTime.set(pkg, (pkgTime.get(pkg) ?? 0) + t);
  }
  const fmt = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => `${((v / total) * 100).toFixed(1).padStart(5)}%  ${(v / 1000).toFixed(0).padStart(7)} ms  ${k}`)
      .join("\n");
  // Inclusive time: a function with everything it called (recursion counted once per stack).
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const incl = new Map<string, number>();
  const label = (n: Node) => {
    const url = n.callFrame.url.replace(/^file:\/\//, "");
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    const where = m ? m[1] : url.includes(repoRoot) ? url.slice(url.indexOf(repoRoot) + repoRoot.length) : url;
    return `${n.callFrame.functionName || "(anonymous)"} ${where}:${n.callFrame.lineNumber + 1}`;
  };
  for (const [id, t] of self) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const l = label(byId.get(cur)!);
      if (seen.has(l)) continue;
      seen.add(l);
      incl.set(l, (incl.get(l) ?? 0) + t);
    }
  }
  return `total sampled ${(total / 1000).toFixed(0)} ms\n\n-- by function (inclusive) --\n${fmt(incl)}\n\n-- by package / folder --\n${fmt(pkgTime)}\n\n-- by function (self) --\n${fmt(fnTime)}`;
  return `total sampled ${(total / 1000).toFixed(0)} ms\n\n-- by package / folder --\n${fmt(pkgTime)}\n\n-- by function (self) --\n${fmt(fnTime)}`;
}

if (process.argv[1]?.endsWith("profile-summary.ts")) {
  const args = process.argv.slice(2);
  const top = args.includes("--top") ? Number(args[args.indexOf("--top") + 1]) : 30;
  const skip = args.includes("--skip-ms") ? Number(args[args.indexOf("--skip-ms") + 1]) : 0;
  console.log(summarise(args[0], top, skip));
}
