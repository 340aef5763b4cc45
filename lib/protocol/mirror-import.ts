import "server-only";
// Files → database, step 2: the files that held still are read and imported through the bridge's
// service verbs (instruction folders first, then tasks, outputs, messages). A file whose content is
// what the mirror last read or wrote there is skipped (no echo).
import fs from "node:fs";
import path from "node:path";
import { isServiceError } from "@/lib/services";
import { importMessage, importTask, protocolInstructions, protocolTasks } from "@/lib/services/protocol";
import { instructionFolder } from "./export";
import { readFileInside } from "./fs-safe";
import { importInstructionFolder, importOutputFile, ImportSession, loadDoc, messageInput, NOTE_FILE, taskInput } from "./import";
import { instructionStateConflicts, INSTRUCTION_STATE_FIELDS, keepDatabaseTaskState, recordConflict } from "./mirror-conflicts";
import type { MirrorState, Pending } from "./mirror-state";
import { deriveInstruction } from "./model";
import { classify, scanTree, type FileKind, type ScannedFile } from "./tree";

const kindOrder: Record<FileKind["kind"], number> = { "instruction-file": 0, document: 0, task: 1, output: 2, message: 3, ignored: 9, unknown: 9 };

/** Imports every pending file that is ready: stable for `stableMs`, or all of them at start (`initial`). */
export function importPending(s: MirrorState, initial: boolean) {
  const now = Date.now();
  const ready: { rel: string; kind: FileKind }[] = [];
  for (const [rel, p] of s.pending) {
    let st: fs.Stats;
    try {
      st = fs.statSync(path.join(s.root, rel));
    } catch {
      s.forget(rel);
      continue;
    }
    if (st.size !== p.size || st.mtimeMs !== p.mtimeMs) {
      s.pending.set(rel, { ...p, size: st.size, mtimeMs: st.mtimeMs, changedAt: now });
      continue;
    }
    if (!initial && now - p.changedAt < s.timing.stableMs) continue;
    ready.push({ rel, kind: classify(rel) });
  }
  if (ready.length === 0) return;
  ready.sort((a, b) => kindOrder[a.kind.kind] - kindOrder[b.kind.kind] || (a.rel < b.rel ? -1 : 1));
  const session = new ImportSession(s.ctx.db, s.root, { actor: s.ctx.actor });
  const folders = new Set<string>();
  for (const { rel, kind } of ready) {
    const p = s.pending.get(rel)!;
    s.seen.set(rel, { size: p.size, mtimeMs: p.mtimeMs });
    if (kind.kind === "unknown") {
      s.pending.delete(rel);
      if (s.failed.get(rel) !== `${p.size}:${p.mtimeMs}`) s.report("warn", `not imported: ${kind.reason}`, rel);
      s.failed.set(rel, `${p.size}:${p.mtimeMs}`);
      continue;
    }
    let hash: string;
    try {
      hash = readFileInside(s.root, rel.split("/")).hash;
    } catch (err) {
      s.pending.delete(rel);
      s.report("error", `refused: ${(err as Error).message}`, rel);
      continue;
    }
    if (s.synced.get(rel) === hash) {
      s.pending.delete(rel);
      continue;
    }
    if (kind.kind === "instruction-file" || kind.kind === "document") {
      // The folder's own files are imported together, once per tick.
      if (!parses(s, rel, hash, p, now, initial)) continue;
      s.pending.delete(rel);
      folders.add(kind.instructionId);
      continue;
    }
    for (const id of folders) importFolder(s, session, id);
    folders.clear();
    if (!parses(s, rel, hash, p, now, initial)) continue;
    s.pending.delete(rel);
    try {
      if (kind.kind === "task") importTaskFile(s, session, rel, kind);
      else if (kind.kind === "output") {
        if (ensureInstruction(s, session, kind.instructionId)) {
          const h = importOutputFile(session, { rel, kind, size: p.size, mtimeMs: p.mtimeMs });
          if (h) s.synced.set(rel, h);
        }
      } else if (kind.kind === "message") importMessageFile(s, rel, kind);
    } catch (err) {
      s.report("error", isServiceError(err) ? `${err.code}: ${err.message}` : (err as Error).message, rel);
    }
    // Seen and decided, imported or reported: the same content is not looked at again.
    s.synced.set(rel, hash);
  }
  for (const id of folders) importFolder(s, session, id);
  const sum = session.finish();
  s.remember(sum.eventIds);
  s.stats.imported += sum.imported + sum.updated;
  for (const e of sum.errors) s.report("error", e.reason, e.path);
  for (const w of sum.warnings) s.report("warn", w.reason, w.path);
}

/** A fresh file that does not parse may be half-written: wait and retry before reporting it. */
function parses(s: MirrorState, rel: string, hash: string, p: Pending, now: number, initial: boolean): boolean {
  if (NOTE_FILE.test(rel)) return true; // markdown notes are text, not YAML
  const l = loadDoc(s.root, rel);
  if (l.ok || !("parseError" in l) || !l.parseError) return true;
  const fresh = now - p.mtimeMs < 5000;
  if (!initial && fresh && p.attempts < s.timing.parseRetries) {
    s.pending.set(rel, { ...p, attempts: p.attempts + 1, changedAt: now });
    return false;
  }
  s.pending.delete(rel);
  if (s.failed.get(rel) !== hash) s.report("error", l.reason, rel);
  s.failed.set(rel, hash);
  s.synced.set(rel, hash);
  return false;
}

function ownFiles(s: MirrorState, instructionId: string): ScannedFile[] {
  const out: ScannedFile[] = [];
  for (const f of scanTree(s.root, instructionFolder(instructionId)).files) {
    if ((f.kind.kind === "instruction-file" || f.kind.kind === "document") && f.kind.instructionId === instructionId) out.push(f);
  }
  return out;
}

function ensureInstruction(s: MirrorState, session: ImportSession, instructionId: string): boolean {
  if (protocolInstructions(s.ctx, { ids: [instructionId] }).length) return true;
  return importFolder(s, session, instructionId);
}

/** Instruction-level files: a folder changed in the database too keeps the database's modelled fields. */
function importFolder(s: MirrorState, session: ImportSession, instructionId: string): boolean {
  const files = ownFiles(s, instructionId);
  const dbWins = s.dirty.instructions.has(instructionId);
  const before = dbWins ? protocolInstructions(s.ctx, { ids: [instructionId] })[0] : undefined;
  const r = importInstructionFolder(session, instructionId, files, dbWins ? { keepFields: [...INSTRUCTION_STATE_FIELDS] } : {});
  for (const f of files) {
    const hash = r.read.get(f.rel) ?? s.hashOf(f.rel);
    if (hash) s.synced.set(f.rel, hash);
  }
  if (before && r.ok) {
    const header = (name: string) => {
      const f = files.find((x) => x.kind.kind === "instruction-file" && x.kind.name === name);
      const l = f ? loadDoc(s.root, f.rel) : null;
      return l?.ok ? l : null;
    };
    const i = header("instruction.yaml");
    const st = header("status.yaml");
    const fromFile = deriveInstruction({ id: instructionId, instruction: i?.doc, status: st?.doc });
    const fields = instructionStateConflicts(before, fromFile);
    if (Object.keys(fields).length) {
      const loser = fields.tier || fields.phase ? st : i;
      recordConflict(s, "instruction", instructionId, null, loser?.rel ?? `${instructionFolder(instructionId)}/instruction.yaml`, loser?.text ?? null, fields);
    }
  }
  return r.ok;
}

function importTaskFile(s: MirrorState, session: ImportSession, rel: string, kind: Extract<FileKind, { kind: "task" }>) {
  const l = loadDoc(s.root, rel);
  if (!l.ok) return s.report("error", l.reason, rel);
  const p = taskInput(l, kind);
  if (!p.ok) return s.report("error", p.reason, rel);
  for (const w of p.warnings) s.report("warn", w, rel);
  if (!ensureInstruction(s, session, kind.instructionId)) return;
  const key = `${kind.instructionId}/${p.input.ref}`;
  const existing = protocolTasks(s.ctx, { instructionId: kind.instructionId }).find((t) => t.ref === p.input.ref);
  const input = { ...p.input };
  if (existing && s.dirty.tasks.has(existing.id)) {
    // Both sides changed since the last sync: the database keeps the state, the file the content.
    const fields = keepDatabaseTaskState(existing, input);
    if (Object.keys(fields).length) recordConflict(s, "task", existing.id, existing, rel, l.text, fields);
  }
  const r = importTask(s.ctx, input);
  s.remember(r.eventIds);
  if (r.outcome !== "unchanged") s.stats.imported++;
  s.synced.set(rel, l.hash);
  const previous = s.taskPaths.get(key);
  s.taskPaths.set(key, rel);
  if (previous && previous !== rel && fs.existsSync(path.join(s.root, previous)) && (!existing || !s.dirty.tasks.has(existing.id))) {
    s.report("warn", `task ${p.input.ref} also has a file at ${previous}; ${rel} was read last`, rel);
  }
}

function importMessageFile(s: MirrorState, rel: string, kind: Extract<FileKind, { kind: "message" }>) {
  const l = loadDoc(s.root, rel);
  if (!l.ok) return s.report("error", l.reason, rel);
  const p = messageInput(l, kind);
  if (!p.ok) return s.report("error", p.reason, rel);
  for (const w of p.warnings) s.report("warn", w, rel);
  const r = importMessage(s.ctx, p.input);
  s.remember(r.eventIds);
  if (r.outcome !== "unchanged") s.stats.imported++;
  if (r.message.sourcePath !== rel) s.messagePaths.set(r.message.id, rel);
  s.synced.set(rel, l.hash);
}
