import "server-only";
import fs from "node:fs";
import path from "node:path";
import type { Db } from "@/db/client";
import type { Actor } from "@/lib/auth/actor";
import { lastEventId } from "@/lib/services";
import { FOLDER_BRIDGE } from "@/lib/services/protocol";
import { resolveRoot, safeSegment } from "./fs-safe";
import { exportDirty, markEverythingDirty, pullEvents } from "./mirror-export";
import { importPending } from "./mirror-import";
import { anyDirty, MirrorState, StateFile, type MirrorReport, type MirrorStats } from "./mirror-state";
import { rescan, scanAll, watchTree } from "./mirror-watch";

// The mirror in four parts: mirror-watch (noticing file changes), mirror-import (files → database),
// mirror-export (database → files), mirror-conflicts (both changed); mirror-state is what they share.
export { CONFLICT_RULE } from "./mirror-conflicts";
export type { MirrorReport, MirrorStats } from "./mirror-state";

export interface MirrorOptions {
  /** How often the database change feed (the events table) is read, in ms. */
  pollMs?: number;
  /** How often the whole tree is walked, for changes the watcher missed, in ms. */
  rescanMs?: number;
  /** A file counts as finished once its size and mtime have not moved for this long, in ms. */
  stableMs?: number;
  /** Parse failures of a fresh file are retried this many times before being reported. */
  parseRetries?: number;
  actor?: Actor;
  /** The file (a name in the folder; dotfiles are not imported) keeping the last event id and file hashes between runs; false to keep nothing. */
  stateFile?: string | false;
  onReport?: (r: MirrorReport) => void;
}

export interface Mirror {
  readonly root: string;
  readonly stats: MirrorStats;
  /** The last reports (errors, warnings, conflicts), newest last. */
  readonly reports: readonly MirrorReport[];
  stop(): Promise<void>;
}

const STATE_FILE = ".agentdesk-mirror.json";

/**
 * The live two-way mirror between the database and an Agent_Memory folder.
 *
 * Files → database: `fs.watch` (recursive) plus a periodic rescan notice changes; a file is read
 * once its size and mtime are stable, and imported through the bridge's service verbs.
 * Database → files: the events table is read after the last id seen; the tasks, messages, outputs,
 * reviews and instructions those events touch are written atomically where the protocol keeps them.
 * No echo: events the mirror's own imports appended are skipped, and a file whose content is what the
 * mirror last read or wrote there is ignored.
 */
export async function startMirror(db: Db, dir: string, opts: MirrorOptions = {}): Promise<Mirror> {
  const m = new MirrorImpl(db, resolveRoot(dir, { create: true }), opts);
  m.start();
  return m;
}

/** For server.ts: starts the mirror when AGENTDESK_SYNC_DIR is set, else returns null. */
export async function startMirrorFromEnv(db: Db, env: NodeJS.ProcessEnv = process.env, opts: MirrorOptions = {}): Promise<Mirror | null> {
  const dir = env.AGENTDESK_SYNC_DIR?.trim();
  if (!dir) return null;
  return startMirror(db, dir, opts);
}

/** The loop: one tick reads the change feed, imports the files that held still, writes what changed. */
class MirrorImpl implements Mirror {
  private readonly s: MirrorState;
  private readonly state: StateFile;
  private readonly pollMs: number;
  private readonly rescanMs: number;
  private watcher: fs.FSWatcher | null = null;
  private tickTimer: NodeJS.Timeout | null = null;
  private rescanTimer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    db: Db,
    readonly root: string,
    opts: MirrorOptions,
  ) {
    this.s = new MirrorState({ db, actor: opts.actor ?? FOLDER_BRIDGE }, root, { stableMs: opts.stableMs ?? 200, parseRetries: opts.parseRetries ?? 5 }, opts.onReport);
    this.pollMs = opts.pollMs ?? 300;
    this.rescanMs = opts.rescanMs ?? 2000;
    this.state = new StateFile(this.s, opts.stateFile === false ? null : path.join(root, safeSegment(opts.stateFile ?? STATE_FILE, "state file name")));
  }

  get stats(): MirrorStats {
    return this.s.stats;
  }

  get reports(): readonly MirrorReport[] {
    return this.s.reports;
  }

  start() {
    const s = this.s;
    const saved = this.state.load();
    if (saved) {
      // What changed on either side while the mirror was stopped: the database from the change feed,
      // the files by their hash against the last sync, so a change on both sides is still a conflict.
      s.lastEvent = saved.lastEventId;
      for (const [rel, hash] of Object.entries(saved.files)) s.synced.set(rel, hash);
      pullEvents(s);
    } else s.lastEvent = lastEventId(s.ctx);
    scanAll(s);
    importPending(s, true);
    if (saved === null) markEverythingDirty(s);
    this.tick();
    this.watcher = watchTree(s);
    this.rescanTimer = setInterval(() => rescan(s), this.rescanMs);
    this.rescanTimer.unref?.();
  }

  async stop() {
    const s = this.s;
    s.stopped = true;
    this.watcher?.close();
    if (this.tickTimer) clearTimeout(this.tickTimer);
    if (this.rescanTimer) clearInterval(this.rescanTimer);
    try {
      // Step past the mirror's own last events, so a restart does not take them for somebody else's.
      if (s.ctx.db.$engine.open) {
        pullEvents(s);
        if (anyDirty(s.dirty)) exportDirty(s);
      }
    } catch (err) {
      s.report("error", `final sync failed: ${(err as Error).message}`);
    }
    this.state.save(true);
  }

  private tick() {
    const s = this.s;
    if (s.stopped) return;
    if (!this.running) {
      this.running = true;
      try {
        if (s.ctx.db.$engine.open) {
          pullEvents(s);
          importPending(s, false);
          exportDirty(s);
          this.state.save();
        }
      } catch (err) {
        s.report("error", `sync failed: ${(err as Error).message}`);
      } finally {
        this.running = false;
        s.stats.ticks++;
      }
    }
    this.tickTimer = setTimeout(() => this.tick(), this.pollMs);
    this.tickTimer.unref?.();
  }
}
