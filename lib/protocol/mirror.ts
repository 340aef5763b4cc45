import fs from "node:fs";
import path from "node:path";
import type { Db } from "@/db/client";
import type { Actor } from "@/lib/auth/actor";
import { isServiceError, lastEventId, listEvents, type ServiceContext } from "@/lib/services";
import {
  FOLDER_BRIDGE,
  importMessage,
  importTask,
  protocolInstructions,
  protocolLatestOutputs,
  protocolMessages,
  protocolReviews,
  protocolTasks,
  recordBridgeConflict,
  taskFolderOf,
  type ProtocolMessage,
  type ProtocolTask,
} from "@/lib/services/protocol";
import { readFileInside, removeFileInside, resolveRoot, safeRelative, safeSegment, sha256, toPosix, writeFileAtomic } from "./fs-safe";
import { currentText, instructionFiles, messageFile, messageFolder, messageSourceName, otherTaskPaths, outputFile, reviewFile, taskFile, taskFileName, type LinkIndex, type PlannedFile } from "./export";
import { importInstructionFolder, importOutputFile, ImportSession, loadDoc, messageInput, taskInput } from "./import";
import { deriveInstruction, deriveTask, isDoc, messageFileName, TASK_FOLDERS, type Doc } from "./model";
import { classify, scanTree, type FileKind, type ScannedFile } from "./tree";
import { parseYaml } from "./yaml";

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

export interface Mirror {
  readonly root: string;
  readonly stats: MirrorStats;
  /** The last reports (errors, warnings, conflicts), newest last. */
  readonly reports: readonly MirrorReport[];
  stop(): Promise<void>;
}

export const CONFLICT_RULE =
  "The database wins for state changed through AgentDesk (task status and assignee; instruction title, body, tier, priority, phase); " +
  "the file wins for everything else an agent wrote. The losing file is kept beside it as <name>.conflict-<time>.yaml.";

const STATE_FILE = ".agentdesk-mirror.json";
type Pending = { size: number; mtimeMs: number; changedAt: number; attempts: number };
const kindOrder: Record<FileKind["kind"], number> = { "instruction-file": 0, document: 0, task: 1, output: 2, message: 3, ignored: 9, unknown: 9 };
const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");

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

class MirrorImpl implements Mirror {
  readonly stats: MirrorStats = { imported: 0, written: 0, removed: 0, conflicts: 0, errors: 0, ticks: 0 };
  readonly reports: MirrorReport[] = [];
  private readonly ctx: ServiceContext;
  private readonly pollMs: number;
  private readonly rescanMs: number;
  private readonly stableMs: number;
  private readonly retries: number;
  private readonly statePath: string | null;

  /** Content hash per path at the last sync (read or written by the mirror). */
  private synced = new CountingMap();
  /** Size and mtime per path at the last look (the rescan compares against it). */
  private seen = new Map<string, { size: number; mtimeMs: number }>();
  private pending = new Map<string, Pending>();
  /** A content hash that failed to parse and was reported: not reported again until it changes. */
  private failed = new Map<string, string>();
  /** Where each task's file lies now, by `instructionId/ref`. */
  private taskPaths = new Map<string, string>();
  /** Files written for messages born in AgentDesk, by message id. */
  private messagePaths = new Map<string, string>();
  private own = new Set<number>();
  private lastEvent = 0;
  private savedKey = "";
  private savedAt = 0;
  private dirty = { instructions: new Set<string>(), tasks: new Set<string>(), messages: new Set<string>(), outputs: new Set<string>(), reviews: new Set<string>() };

  private watcher: fs.FSWatcher | null = null;
  private tickTimer: NodeJS.Timeout | null = null;
  private rescanTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private running = false;

  constructor(
    db: Db,
    readonly root: string,
    opts: MirrorOptions,
  ) {
    this.ctx = { db, actor: opts.actor ?? FOLDER_BRIDGE };
    this.pollMs = opts.pollMs ?? 300;
    this.rescanMs = opts.rescanMs ?? 2000;
    this.stableMs = opts.stableMs ?? 200;
    this.retries = opts.parseRetries ?? 5;
    this.statePath = opts.stateFile === false ? null : path.join(root, safeSegment(opts.stateFile ?? STATE_FILE, "state file name"));
    this.onReport = opts.onReport;
  }
  private onReport?: (r: MirrorReport) => void;

  start() {
    const saved = this.loadState();
    const firstRun = saved === null;
    if (saved) {
      // What changed on either side while the mirror was stopped: the database from the change feed,
      // the files by their hash against the last sync, so a change on both sides is still a conflict.
      this.lastEvent = saved.lastEventId;
      for (const [rel, hash] of Object.entries(saved.files)) this.synced.set(rel, hash);
      this.pullEvents();
    } else this.lastEvent = lastEventId(this.ctx);
    // Every file is looked at once: unchanged ones cost a hash, changed ones are imported.
    const scan = scanTree(this.root);
    for (const e of scan.errors) this.report("error", e.reason, e.path);
    const present = new Set(scan.files.map((f) => f.rel));
    for (const rel of [...this.synced.keys()]) if (!present.has(rel)) this.synced.delete(rel);
    const now = Date.now();
    for (const f of scan.files) {
      this.seen.set(f.rel, { size: f.size, mtimeMs: f.mtimeMs });
      this.pending.set(f.rel, { size: f.size, mtimeMs: f.mtimeMs, changedAt: now - this.stableMs, attempts: 0 });
      if (f.kind.kind === "task") this.taskPaths.set(`${f.kind.instructionId}/${(f.kind.fileName.replace(/\.ya?ml$/i, ""))}`, f.rel);
    }
    this.processFiles(true);
    if (firstRun) this.markEverythingDirty();
    this.tick();
    try {
      this.watcher = fs.watch(this.root, { recursive: true }, (_event, filename) => {
        if (filename) this.onWatch(toPosix(filename.toString()));
      });
      this.watcher.on("error", (err) => this.report("warn", `file watcher: ${err.message}; the periodic rescan carries on`));
    } catch (err) {
      this.report("warn", `file watcher unavailable (${(err as Error).message}); relying on the periodic rescan`);
    }
    this.rescanTimer = setInterval(() => this.rescan(), this.rescanMs);
    this.rescanTimer.unref?.();
  }

  async stop() {
    this.stopped = true;
    this.watcher?.close();
    if (this.tickTimer) clearTimeout(this.tickTimer);
    if (this.rescanTimer) clearInterval(this.rescanTimer);
    try {
      // Step past the mirror's own last events, so a restart does not take them for somebody else's.
      if (this.ctx.db.$client.open) {
        this.pullEvents();
        if (this.dirty.tasks.size || this.dirty.instructions.size || this.dirty.messages.size || this.dirty.outputs.size || this.dirty.reviews.size) this.exportDirty();
      }
    } catch (err) {
      this.report("error", `final sync failed: ${(err as Error).message}`);
    }
    this.saveState(true);
  }

  /* ---------------- reporting and state ---------------- */

  private report(level: MirrorReport["level"], message: string, p?: string) {
    const r: MirrorReport = { at: Date.now(), level, message, ...(p ? { path: p } : {}) };
    if (level === "error") this.stats.errors++;
    this.reports.push(r);
    if (this.reports.length > 500) this.reports.splice(0, this.reports.length - 500);
    this.onReport?.(r);
  }

  private loadState(): { lastEventId: number; files: Record<string, string> } | null {
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

  /** At most once a second (and at stop): the last event id read, and the hash of every file at its last sync. */
  private saveState(force = false) {
    if (!this.statePath) return;
    const key = `${this.lastEvent}:${this.synced.version}`;
    if (!force && (key === this.savedKey || Date.now() - this.savedAt < 1000)) return;
    try {
      const files = Object.fromEntries([...this.synced.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
      writeFileAtomic(this.root, [path.basename(this.statePath)], JSON.stringify({ version: 1, lastEventId: this.lastEvent, savedAt: new Date().toISOString(), files }) + "\n");
      this.savedKey = key;
      this.savedAt = Date.now();
    } catch (err) {
      this.report("warn", `cannot save the mirror state: ${(err as Error).message}`);
    }
  }

  /* ---------------- noticing file changes ---------------- */

  private onWatch(rel: string) {
    if (this.stopped || rel === "" || rel.split("/").some((s) => s.startsWith("."))) return;
    let st: fs.Stats;
    try {
      st = fs.lstatSync(path.join(this.root, rel));
    } catch {
      this.notice(rel, null);
      return;
    }
    if (st.isDirectory()) {
      // A new folder's own watch may start after its first files were written: look inside now.
      for (const f of scanTree(this.root, rel).files) this.notice(f.rel, { size: f.size, mtimeMs: f.mtimeMs });
      return;
    }
    this.notice(rel, { size: st.size, mtimeMs: st.mtimeMs });
  }

  private notice(rel: string, st: { size: number; mtimeMs: number } | null) {
    const k = classify(rel);
    if (k.kind === "ignored") return;
    if (!st) {
      this.forget(rel);
      return;
    }
    const p = this.pending.get(rel);
    if (p && p.size === st.size && p.mtimeMs === st.mtimeMs) return;
    this.pending.set(rel, { size: st.size, mtimeMs: st.mtimeMs, changedAt: Date.now(), attempts: p?.attempts ?? 0 });
  }

  private forget(rel: string) {
    this.pending.delete(rel);
    this.seen.delete(rel);
    this.synced.delete(rel);
    for (const [k, v] of this.taskPaths) if (v === rel) this.taskPaths.delete(k);
  }

  private rescan() {
    if (this.stopped) return;
    try {
      const scan = scanTree(this.root);
      const present = new Set<string>();
      for (const f of scan.files) {
        present.add(f.rel);
        const s = this.seen.get(f.rel);
        if (!s || s.size !== f.size || s.mtimeMs !== f.mtimeMs) this.notice(f.rel, { size: f.size, mtimeMs: f.mtimeMs });
      }
      for (const rel of [...this.seen.keys()]) if (!present.has(rel)) this.forget(rel);
    } catch (err) {
      this.report("error", `rescan failed: ${(err as Error).message}`);
    }
  }

  /* ---------------- the loop ---------------- */

  private tick() {
    if (this.stopped) return;
    if (!this.running) {
      this.running = true;
      try {
        if (this.ctx.db.$client.open) {
          this.pullEvents();
          this.processFiles(false);
          this.exportDirty();
          this.saveState();
        }
      } catch (err) {
        this.report("error", `sync failed: ${(err as Error).message}`);
      } finally {
        this.running = false;
        this.stats.ticks++;
      }
    }
    this.tickTimer = setTimeout(() => this.tick(), this.pollMs);
    this.tickTimer.unref?.();
  }

  private remember(ids: number[]) {
    for (const id of ids) this.own.add(id);
  }

  /** Database → files, step 1: which entities changed, from the events appended by anybody else. */
  private pullEvents() {
    for (;;) {
      const batch = listEvents(this.ctx, { afterId: this.lastEvent, limit: 500 });
      if (batch.length === 0) break;
      for (const e of batch) {
        this.lastEvent = e.id;
        if (this.own.delete(e.id)) continue;
        if (e.verb === "bridge.conflict" || e.verb === "message.marked") continue;
        if (e.taskId && e.entityKind !== "message") this.dirty.tasks.add(e.taskId);
        switch (e.entityKind) {
          case "instruction":
            this.dirty.instructions.add(e.entityId);
            break;
          case "message":
            this.dirty.messages.add(e.entityId);
            break;
          case "output":
            if (e.taskId) this.dirty.outputs.add(e.taskId);
            if (e.verb === "output.approved" || e.verb === "output.changes_requested") this.dirty.reviews.add(e.entityId);
            break;
          case "review":
            this.dirty.reviews.add(e.entityId);
            break;
        }
      }
      if (batch.length < 500) break;
    }
    // Ids below the feed's position can never come back.
    for (const id of this.own) if (id <= this.lastEvent) this.own.delete(id);
  }

  private markEverythingDirty() {
    for (const r of protocolInstructions(this.ctx)) this.dirty.instructions.add(r.id);
    for (const t of protocolTasks(this.ctx)) this.dirty.tasks.add(t.id);
    for (const o of protocolLatestOutputs(this.ctx)) this.dirty.outputs.add(o.taskId);
    for (const r of protocolReviews(this.ctx)) this.dirty.reviews.add(r.outputId);
    let afterSeq = 0;
    for (;;) {
      const page = protocolMessages(this.ctx, { afterSeq, limit: 1000 });
      if (page.length === 0) break;
      afterSeq = page[page.length - 1].seq;
      for (const m of page) this.dirty.messages.add(m.id);
    }
  }

  /* ---------------- files → database ---------------- */

  private processFiles(initial: boolean) {
    const now = Date.now();
    const ready: { rel: string; kind: FileKind }[] = [];
    for (const [rel, p] of this.pending) {
      let st: fs.Stats;
      try {
        st = fs.statSync(path.join(this.root, rel));
      } catch {
        this.forget(rel);
        continue;
      }
      if (st.size !== p.size || st.mtimeMs !== p.mtimeMs) {
        this.pending.set(rel, { ...p, size: st.size, mtimeMs: st.mtimeMs, changedAt: now });
        continue;
      }
      if (!initial && now - p.changedAt < this.stableMs) continue;
      ready.push({ rel, kind: classify(rel) });
    }
    if (ready.length === 0) return;
    ready.sort((a, b) => kindOrder[a.kind.kind] - kindOrder[b.kind.kind] || (a.rel < b.rel ? -1 : 1));
    const s = new ImportSession(this.ctx.db, this.root, { actor: this.ctx.actor });
    const folders = new Set<string>();
    for (const { rel, kind } of ready) {
      const p = this.pending.get(rel)!;
      this.seen.set(rel, { size: p.size, mtimeMs: p.mtimeMs });
      if (kind.kind === "unknown") {
        this.pending.delete(rel);
        if (this.failed.get(rel) !== `${p.size}:${p.mtimeMs}`) this.report("warn", `not imported: ${kind.reason}`, rel);
        this.failed.set(rel, `${p.size}:${p.mtimeMs}`);
        continue;
      }
      let hash: string;
      try {
        hash = readFileInside(this.root, rel.split("/")).hash;
      } catch (err) {
        this.pending.delete(rel);
        this.report("error", `refused: ${(err as Error).message}`, rel);
        continue;
      }
      if (this.synced.get(rel) === hash) {
        this.pending.delete(rel);
        continue;
      }
      if (kind.kind === "instruction-file" || kind.kind === "document") {
        // The folder's own files are imported together, once per tick.
        if (!this.parses(rel, hash, p, now, initial)) continue;
        this.pending.delete(rel);
        folders.add(kind.instructionId);
        continue;
      }
      for (const id of folders) this.importFolder(s, id);
      folders.clear();
      if (!this.parses(rel, hash, p, now, initial)) continue;
      this.pending.delete(rel);
      try {
        if (kind.kind === "task") this.importTaskFile(s, rel, kind);
        else if (kind.kind === "output") {
          if (this.ensureInstruction(s, kind.instructionId)) {
            const h = importOutputFile(s, { rel, kind, size: p.size, mtimeMs: p.mtimeMs });
            if (h) this.synced.set(rel, h);
          }
        } else if (kind.kind === "message") this.importMessageFile(rel, kind);
      } catch (err) {
        this.report("error", isServiceError(err) ? `${err.code}: ${err.message}` : (err as Error).message, rel);
      }
      // Seen and decided, imported or reported: the same content is not looked at again.
      this.synced.set(rel, hash);
    }
    for (const id of folders) this.importFolder(s, id);
    const sum = s.finish();
    this.remember(sum.eventIds);
    this.stats.imported += sum.imported + sum.updated;
    for (const e of sum.errors) this.report("error", e.reason, e.path);
    for (const w of sum.warnings) this.report("warn", w.reason, w.path);
  }

  /** A fresh file that does not parse may be half-written: wait and retry before reporting it. */
  private parses(rel: string, hash: string, p: Pending, now: number, initial: boolean): boolean {
    const l = loadDoc(this.root, rel);
    if (l.ok || !("parseError" in l) || !l.parseError) return true;
    const fresh = now - p.mtimeMs < 5000;
    if (!initial && fresh && p.attempts < this.retries) {
      this.pending.set(rel, { ...p, attempts: p.attempts + 1, changedAt: now });
      return false;
    }
    this.pending.delete(rel);
    if (this.failed.get(rel) !== hash) this.report("error", l.reason, rel);
    this.failed.set(rel, hash);
    this.synced.set(rel, hash);
    return false;
  }

  private ownFiles(instructionId: string): ScannedFile[] {
    const out: ScannedFile[] = [];
    for (const f of scanTree(this.root, instructionId).files) {
      if ((f.kind.kind === "instruction-file" || f.kind.kind === "document") && f.kind.instructionId === instructionId) out.push(f);
    }
    return out;
  }

  private ensureInstruction(s: ImportSession, instructionId: string): boolean {
    if (protocolInstructions(this.ctx, { ids: [instructionId] }).length) return true;
    return this.importFolder(s, instructionId);
  }

  /** Instruction-level files: a folder changed in the database too keeps the database's modelled fields. */
  private importFolder(s: ImportSession, instructionId: string): boolean {
    const files = this.ownFiles(instructionId);
    const dbWins = this.dirty.instructions.has(instructionId);
    const before = dbWins ? protocolInstructions(this.ctx, { ids: [instructionId] })[0] : undefined;
    const r = importInstructionFolder(s, instructionId, files, dbWins ? { keepFields: ["title", "body", "tier", "priority", "phase"] } : {});
    for (const f of files) {
      const hash = r.read.get(f.rel) ?? this.hashOf(f.rel);
      if (hash) this.synced.set(f.rel, hash);
    }
    if (before && r.ok) {
      const header = (name: string) => {
        const f = files.find((x) => x.kind.kind === "instruction-file" && x.kind.name === name);
        const l = f ? loadDoc(this.root, f.rel) : null;
        return l?.ok ? l : null;
      };
      const i = header("instruction.yaml");
      const st = header("status.yaml");
      const fromFile = deriveInstruction({ id: instructionId, instruction: i?.doc, status: st?.doc });
      const fields: Record<string, { database: unknown; file: unknown }> = {};
      for (const k of ["title", "body", "tier", "priority", "phase"] as const) if (fromFile[k] !== before[k]) fields[k] = { database: before[k], file: fromFile[k] };
      if (Object.keys(fields).length) {
        const loser = fields.tier || fields.phase ? st : i;
        this.conflict("instruction", instructionId, null, loser?.rel ?? `${instructionId}/instruction.yaml`, loser?.text ?? null, fields);
      }
    }
    return r.ok;
  }

  private importTaskFile(s: ImportSession, rel: string, kind: Extract<FileKind, { kind: "task" }>) {
    const l = loadDoc(this.root, rel);
    if (!l.ok) return this.report("error", l.reason, rel);
    const p = taskInput(l, kind.instructionId, kind.folder, kind.fileName);
    if (!p.ok) return this.report("error", p.reason, rel);
    for (const w of p.warnings) this.report("warn", w, rel);
    if (!this.ensureInstruction(s, kind.instructionId)) return;
    const key = `${kind.instructionId}/${p.input.ref}`;
    const existing = protocolTasks(this.ctx, { instructionId: kind.instructionId }).find((t) => t.ref === p.input.ref);
    const input = { ...p.input };
    if (existing && this.dirty.tasks.has(existing.id)) {
      // Both sides changed since the last sync: the database keeps the state, the file the content.
      const fields: Record<string, { database: unknown; file: unknown }> = {};
      if (taskFolderOf(existing.status) !== taskFolderOf(input.status)) fields.status = { database: existing.status, file: input.status };
      if (existing.assignedAgent !== input.assignedAgent) fields.assignedAgent = { database: existing.assignedAgent, file: input.assignedAgent };
      input.status = existing.status;
      input.assignedAgent = existing.assignedAgent;
      input.blockedReason = existing.blockedReason;
      input.blockerType = existing.blockerType;
      if (Object.keys(fields).length) this.conflict("task", existing.id, existing, rel, l.text, fields);
    }
    const r = importTask(this.ctx, input);
    this.remember(r.eventIds);
    if (r.outcome !== "unchanged") this.stats.imported++;
    this.synced.set(rel, l.hash);
    const previous = this.taskPaths.get(key);
    this.taskPaths.set(key, rel);
    if (previous && previous !== rel && fs.existsSync(path.join(this.root, previous)) && (!existing || !this.dirty.tasks.has(existing.id))) {
      this.report("warn", `task ${p.input.ref} also has a file at ${previous}; ${rel} was read last`, rel);
    }
  }

  private importMessageFile(rel: string, kind: Extract<FileKind, { kind: "message" }>) {
    const l = loadDoc(this.root, rel);
    if (!l.ok) return this.report("error", l.reason, rel);
    const p = messageInput(l, kind.inboxFolder, kind.fileName);
    if (!p.ok) return this.report("error", p.reason, rel);
    for (const w of p.warnings) this.report("warn", w, rel);
    const r = importMessage(this.ctx, p.input);
    this.remember(r.eventIds);
    if (r.outcome !== "unchanged") this.stats.imported++;
    if (r.message.sourcePath !== rel) this.messagePaths.set(r.message.id, rel);
    this.synced.set(rel, l.hash);
  }

  private conflict(kind: "task" | "instruction", entityId: string, task: ProtocolTask | null, rel: string, loserText: string | null, fields: Record<string, { database: unknown; file: unknown }>) {
    let keptAs: string | null = null;
    if (loserText !== null) {
      const segs = rel.split("/");
      const name = segs.pop()!;
      const kept = `${name.replace(/\.ya?ml$/i, "")}${".conflict-"}${stamp(Date.now())}.yaml`;
      try {
        writeFileAtomic(this.root, [...segs, kept], loserText);
        keptAs = [...segs, kept].join("/");
      } catch (err) {
        this.report("error", `cannot keep the losing copy: ${(err as Error).message}`, rel);
      }
    }
    const r = recordBridgeConflict(this.ctx, {
      entityKind: kind,
      entityId,
      instructionId: kind === "instruction" ? entityId : (task?.instructionId ?? null),
      taskId: task?.id ?? null,
      path: rel,
      keptAs,
      winner: "database",
      fields,
      rule: CONFLICT_RULE,
    });
    this.remember(r.eventIds);
    this.stats.conflicts++;
    this.report("warn", `conflict: ${Object.keys(fields).join(", ")} changed in both; the database won${keptAs ? `, the file was kept as ${keptAs}` : ""}`, rel);
  }

  /* ---------------- database → files ---------------- */

  private hashOf(rel: string): string | null {
    try {
      return readFileInside(this.root, rel.split("/")).hash;
    } catch {
      return null;
    }
  }

  /**
   * A path holding changes the mirror has not read yet (pending, or on disk with other content than
   * last synced, such as a file an agent just moved there): writing now would overwrite the agent's
   * work, so the export waits and the file is read first, where a conflict is decided.
   */
  private busy(rel: string): boolean {
    if (this.pending.has(rel)) return true;
    let st: fs.Stats;
    try {
      st = fs.statSync(path.join(this.root, rel));
    } catch {
      return false;
    }
    const hash = this.hashOf(rel);
    if (hash === null || hash === this.synced.get(rel)) return false;
    this.pending.set(rel, { size: st.size, mtimeMs: st.mtimeMs, changedAt: Date.now(), attempts: 0 });
    return true;
  }

  private write(f: PlannedFile): boolean {
    const segs = safeRelative(f.rel, "path");
    const text = currentText(this.root, f.rel);
    if (text === f.text) {
      this.synced.set(f.rel, sha256(f.text));
      return false;
    }
    writeFileAtomic(this.root, segs, f.text);
    this.synced.set(f.rel, sha256(f.text));
    try {
      const st = fs.statSync(path.join(this.root, ...segs));
      this.seen.set(f.rel, { size: st.size, mtimeMs: st.mtimeMs });
    } catch {
      // gone again already: the rescan will tell
    }
    this.stats.written++;
    return true;
  }

  private docAt(rel: string): Doc | null {
    const text = currentText(this.root, rel);
    if (text === null) return null;
    const p = parseYaml(text);
    return p.ok && isDoc(p.value) ? p.value : null;
  }

  private exportDirty() {
    const d = this.dirty;
    const keep = { instructions: new Set<string>(), tasks: new Set<string>(), messages: new Set<string>(), outputs: new Set<string>(), reviews: new Set<string>() };
    const attempt = (what: string, fn: () => void) => {
      try {
        fn();
      } catch (err) {
        this.report("error", `cannot write ${what}: ${(err as Error).message}`);
      }
    };
    const chunks = <T>(xs: T[]) => Array.from({ length: Math.ceil(xs.length / 500) }, (_, i) => xs.slice(i * 500, i * 500 + 500));

    for (const ids of chunks([...d.instructions])) {
      for (const r of protocolInstructions(this.ctx, { ids })) {
        attempt(`instruction ${r.id}`, () => {
          const iRel = `${r.id}/instruction.yaml`;
          const sRel = `${r.id}/status.yaml`;
          if (this.busy(iRel) || this.busy(sRel)) return void keep.instructions.add(r.id);
          const onDisk = { instruction: this.docAt(iRel) ?? undefined, status: this.docAt(sRel) ?? undefined };
          const fresh = !onDisk.instruction && !onDisk.status;
          const planned = instructionFiles(r, fresh ? undefined : onDisk, { documents: fresh });
          for (const f of planned) {
            const exists = currentText(this.root, f.rel) !== null;
            if (!exists || f.hard.length) this.write(f);
          }
        });
      }
    }

    const refsOf = new Map<string, Set<string>>();
    const knownRefs = (instructionId: string) => {
      let set = refsOf.get(instructionId);
      if (!set) {
        set = new Set(protocolTasks(this.ctx, { instructionId }).map((t) => t.ref));
        refsOf.set(instructionId, set);
      }
      return set;
    };
    const folderReady = (instructionId: string) => {
      if (fs.existsSync(path.join(this.root, instructionId))) return;
      const r = protocolInstructions(this.ctx, { ids: [instructionId] })[0];
      if (r) for (const f of instructionFiles(r)) this.write(f);
    };

    for (const ids of chunks([...d.tasks])) {
      for (const t of protocolTasks(this.ctx, { ids })) {
        attempt(`task ${t.instructionId}/${t.ref}`, () => {
          const key = `${t.instructionId}/${t.ref}`;
          const name = taskFileName(t);
          const candidates = [this.taskPaths.get(key), ...TASK_FOLDERS.map((f) => `${t.instructionId}/tasks/${f}/${name}`)].filter((x): x is string => !!x);
          if (candidates.some((c) => this.busy(c)) || [...this.pending.keys()].some((p) => p.startsWith(`${t.instructionId}/tasks/`) && p.endsWith(`/${name}`))) {
            return void keep.tasks.add(t.id);
          }
          const current = candidates.find((c) => currentText(this.root, c) !== null) ?? null;
          const base = current ? this.docAt(current) : null;
          const usable = base && deriveTask(base, name.replace(/\.ya?ml$/, "")).ok ? base : null;
          folderReady(t.instructionId);
          const planned = taskFile(t, knownRefs(t.instructionId), usable);
          if (current !== planned.rel || planned.hard.length || !current) this.write(planned);
          this.taskPaths.set(key, planned.rel);
          for (const other of otherTaskPaths(t)) {
            if (removeFileInside(this.root, other.split("/"))) {
              this.synced.delete(other);
              this.seen.delete(other);
              this.stats.removed++;
            }
          }
        });
      }
    }

    for (const ids of chunks([...d.outputs])) {
      for (const o of protocolLatestOutputs(this.ctx, { taskIds: ids })) {
        attempt(`result of ${o.instructionId}/${o.taskRef}`, () => {
          const planned = outputFile(o);
          if (this.busy(planned.rel)) return void keep.outputs.add(o.taskId);
          folderReady(o.instructionId);
          this.write(planned);
        });
      }
    }

    for (const ids of chunks([...d.reviews])) {
      for (const r of protocolReviews(this.ctx, { outputIds: ids })) attempt(`review ${r.id}`, () => void this.write(reviewFile(r)));
    }

    if (d.messages.size) {
      const instructionIds = new Set(protocolInstructions(this.ctx).map((r) => r.id));
      const links: LinkIndex = { knownInstruction: (id) => instructionIds.has(id), knownTask: (i, ref) => instructionIds.has(i) && knownRefs(i).has(ref) };
      for (const ids of chunks([...d.messages])) {
        for (const m of protocolMessages(this.ctx, { ids })) attempt(`message ${m.id}`, () => this.exportMessage(m, links, keep.messages));
      }
    }
    this.dirty = keep;
  }

  private exportMessage(m: ProtocolMessage, links: LinkIndex, keep: Set<string>) {
    const folder = messageFolder(m);
    const imported = messageSourceName(m);
    let rel: string;
    if (imported && m.sourcePath === `${folder}/${imported}`) rel = m.sourcePath;
    else {
      const known = this.messagePaths.get(m.id);
      if (known) rel = known;
      else {
        // A name of the protocol's form, made unique when another message holds it already.
        rel = `${folder}/${imported ?? messageFileName(m)}`;
        const holder = this.docAt(rel);
        if (holder && holder.message_id !== m.id) rel = `${folder}/${messageFileName(m, true)}`;
      }
    }
    if (this.busy(rel)) return void keep.add(m.id);
    const base = this.docAt(rel);
    const planned = messageFile(m, links, rel.split("/").pop()!, base);
    if (!base || planned.hard.length) this.write(planned);
    this.messagePaths.set(m.id, rel);
  }
}

