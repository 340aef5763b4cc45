import "server-only";
// Files → database, step 1: noticing that a file changed. `fs.watch` (recursive) reports changes as
// they happen; a periodic rescan catches what it missed. A noticed file waits in `pending` until its
// size and mtime hold still (mirror-import.ts reads it then).
import fs from "node:fs";
import path from "node:path";
import { toPosix } from "./fs-safe";
import type { MirrorState } from "./mirror-state";
import { classify, scanTree } from "./tree";

/** At start: every file is looked at once (unchanged ones cost a hash, changed ones are imported). */
export function scanAll(s: MirrorState) {
  const scan = scanTree(s.root);
  for (const e of scan.errors) s.report("error", e.reason, e.path);
  const present = new Set(scan.files.map((f) => f.rel));
  for (const rel of [...s.synced.keys()]) if (!present.has(rel)) s.synced.delete(rel);
  const now = Date.now();
  for (const f of scan.files) {
    s.seen.set(f.rel, { size: f.size, mtimeMs: f.mtimeMs });
    s.pending.set(f.rel, { size: f.size, mtimeMs: f.mtimeMs, changedAt: now - s.timing.stableMs, attempts: 0 });
    if (f.kind.kind === "task") s.taskPaths.set(`${f.kind.instructionId}/${f.kind.fileName.replace(/\.ya?ml$/i, "")}`, f.rel);
  }
}

/** Watches the tree; null (with a warning) where the platform cannot, and the rescan carries on alone. */
export function watchTree(s: MirrorState): fs.FSWatcher | null {
  try {
    const watcher = fs.watch(s.root, { recursive: true }, (_event, filename) => {
      if (filename) onWatch(s, toPosix(filename.toString()));
    });
    watcher.on("error", (err) => s.report("warn", `file watcher: ${err.message}; the periodic rescan carries on`));
    return watcher;
  } catch (err) {
    s.report("warn", `file watcher unavailable (${(err as Error).message}); relying on the periodic rescan`);
    return null;
  }
}

function onWatch(s: MirrorState, rel: string) {
  if (s.stopped || rel === "" || rel.split("/").some((seg) => seg.startsWith("."))) return;
  let st: fs.Stats;
  try {
    st = fs.lstatSync(path.join(s.root, rel));
  } catch {
    notice(s, rel, null);
    return;
  }
  if (st.isDirectory()) {
    // A new folder's own watch may start after its first files were written: look inside now.
    for (const f of scanTree(s.root, rel).files) notice(s, f.rel, { size: f.size, mtimeMs: f.mtimeMs });
    return;
  }
  notice(s, rel, { size: st.size, mtimeMs: st.mtimeMs });
}

function notice(s: MirrorState, rel: string, st: { size: number; mtimeMs: number } | null) {
  const k = classify(rel);
  if (k.kind === "ignored") return;
  if (!st) {
    s.forget(rel);
    return;
  }
  const p = s.pending.get(rel);
  if (p && p.size === st.size && p.mtimeMs === st.mtimeMs) return;
  s.pending.set(rel, { size: st.size, mtimeMs: st.mtimeMs, changedAt: Date.now(), attempts: p?.attempts ?? 0 });
}

/** Walks the whole tree for changes (and removals) the watcher did not report. */
export function rescan(s: MirrorState) {
  if (s.stopped) return;
  try {
    const scan = scanTree(s.root);
    const present = new Set<string>();
    for (const f of scan.files) {
      present.add(f.rel);
      const seen = s.seen.get(f.rel);
      if (!seen || seen.size !== f.size || seen.mtimeMs !== f.mtimeMs) notice(s, f.rel, { size: f.size, mtimeMs: f.mtimeMs });
    }
    for (const rel of [...s.seen.keys()]) if (!present.has(rel)) s.forget(rel);
  } catch (err) {
    s.report("error", `rescan failed: ${(err as Error).message}`);
  }
}
