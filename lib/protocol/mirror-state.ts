import "server-only";
// What the live mirror remembers between ticks (and, through the state file, between runs): the
// content hash of every path at its last sync, what is waiting to be read, the entities waiting to be
// written, and the reports. Shared by the watching, importing and exporting halves of the mirror.
import fs from "node:fs";
import path from "node:path";
import type { ServiceContext } from "@/lib/services";
import { currentText } from "./export";
import { readFileInside, writeFileAtomic } from "./fs-safe";
import { isDoc, type Doc } from "./model";
import { parseYaml } from "./yaml";

export interface MirrorReport {
  at: number;
  level: "info" | "warn" | "error";
  path?: string;
  message: string;
}

export interface MirrorStats {
  imported: number;
  written: number;
  removed: number;
  conflicts: number;
  errors: number;
  ticks: number;
}

/** A file seen changing: read once its size and mtime have held still for `stableMs`. */
export type Pending = { size: number; mtimeMs: number; changedAt: number; attempts: number };

/** Entities changed in the database and not written to the folder yet. */
export type Dirty = { instructions: Set<string>; tasks: Set<string>; messages: Set<string>; outputs: Set<string>; reviews: Set<string> };
export const noneDirty = (): Dirty => ({ instructions: new Set(), tasks: new Set(), messages: new Set(), outputs: new Set(), reviews: new Set() });
export const anyDirty = (d: Dirty) => d.tasks.size > 0 || d.instructions.size > 0 || d.messages.size > 0 || d.outputs.size > 0 || d.reviews.size > 0;

/** A map that counts its changes, so the state file is written only when something is new. */
class CountingMap extends Map<string, string> {
  version = 0;
  override set(k: string, v: string) {
    if (super.get(k) !== v) this.version++;
    return super.set(k, v);
  }
  override delete(k: string) {
    const had = super.delete(k);
    if (had) this.version++;
    return had;
  }
}

export class MirrorState {
  readonly stats: MirrorStats = { imported: 0, written: 0, removed: 0, conflicts: 0, errors: 0, ticks: 0 };
  readonly reports: MirrorReport[] = [];

  /** Content hash per path at the last sync (read or written by the mirror). */
  readonly synced = new CountingMap();
  /** Size and mtime per path at the last look (the rescan compares against it). */
  readonly seen = new Map<string, { size: number; mtimeMs: number }>();
  readonly pending = new Map<string, Pending>();
  /** A content hash that failed to parse and was reported: not reported again until it changes. */
  readonly failed = new Map<string, string>();
  /** Where each task's file lies now, by `instructionId/ref`. */
  readonly taskPaths = new Map<string, string>();
  /** Files written for messages born in AgentDesk, by message id. */
  readonly messagePaths = new Map<string, string>();
  /** Events the mirror's own imports appended: skipped when the change feed brings them back. */
  readonly own = new Set<number>();
  lastEvent = 0;
  dirty: Dirty = noneDirty();
  stopped = false;

  constructor(
    readonly ctx: ServiceContext,
    readonly root: string,
    readonly timing: { stableMs: number; parseRetries: number },
    private readonly onReport?: (r: MirrorReport) => void,
  ) {}

  report(level: MirrorReport["level"], message: string, p?: string) {
    const r: MirrorReport = { at: Date.now(), level, message, ...(p ? { path: p } : {}) };
    if (level === "error") this.stats.errors++;
    this.reports.push(r);
    if (this.reports.length > 500) this.reports.splice(0, this.reports.length - 500);
    this.onReport?.(r);
  }

  remember(ids: number[]) {
    for (const id of ids) this.own.add(id);
  }

  /** A path that is gone: nothing about it is kept. */
  forget(rel: string) {
    this.pending.delete(rel);
    this.seen.delete(rel);
    this.synced.delete(rel);
    for (const [k, v] of this.taskPaths) if (v === rel) this.taskPaths.delete(k);
  }

  hashOf(rel: string): string | null {
    try {
      return readFileInside(this.root, rel.split("/")).hash;
    } catch {
      return null;
    }
  }

  /** The document at a path, when it is there and parses as a mapping. */
  docAt(rel: string): Doc | null {
    const text = currentText(this.root, rel);
    if (text === null) return null;
    const p = parseYaml(text);
    return p.ok && isDoc(p.value) ? p.value : null;
  }
}

/** The state file: the last event id read, and the hash of every file at its last sync. */
export class StateFile {
  private savedKey = "";
  private savedAt = 0;

  constructor(
    private readonly s: MirrorState,
    private readonly statePath: string | null,
  ) {}

  load(): { lastEventId: number; files: Record<string, string> } | null {
    if (!this.statePath) return null;
    try {
      const v = JSON.parse(fs.readFileSync(this.statePath, "utf8")) as { lastEventId?: unknown; files?: unknown };
      if (typeof v.lastEventId !== "number" || !Number.isInteger(v.lastEventId) || v.lastEventId < 0) return null;
      const files: Record<string, string> = {};
      if (isDoc(v.files)) for (const [k, h] of Object.entries(v.files)) if (typeof h === "string" && /^[0-9a-f]{64}$/.test(h)) files[k] = h;
      return { lastEventId: v.lastEventId, files };
    } catch {
      return null;
    }
  }

  /** At most once a second (and at stop). */
  save(force = false) {
    if (!this.statePath) return;
    const key = `${this.s.lastEvent}:${this.s.synced.version}`;
    if (!force && (key === this.savedKey || Date.now() - this.savedAt < 1000)) return;
    try {
      const files = Object.fromEntries([...this.s.synced.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
      writeFileAtomic(this.s.root, [path.basename(this.statePath)], JSON.stringify({ version: 1, lastEventId: this.s.lastEvent, savedAt: new Date().toISOString(), files }) + "\n");
      this.savedKey = key;
      this.savedAt = Date.now();
    } catch (err) {
      this.s.report("warn", `cannot save the mirror state: ${(err as Error).message}`);
    }
  }
}
