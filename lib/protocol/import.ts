import "server-only";
import fs from "node:fs";
import type { Db } from "@/db/client";
import type { Actor } from "@/lib/auth/actor";
import { isServiceError, type ServiceContext } from "@/lib/services";
import {
  FOLDER_BRIDGE,
  importInstruction,
  importMessage,
  importOutput,
  importTask,
  UNASSIGNED_AGENT,
  type ImportInstructionInput,
  type ImportMessageInput,
  type ImportOutcome,
  type ImportOutputInput,
  type ImportTaskInput,
} from "@/lib/services/protocol";
import { instructionFolder } from "./export";
import { joinInside, readFileInside, resolveRoot, UnsafePathError } from "./fs-safe";
import { BRIDGE_NAME, deriveInstruction, deriveMessage, deriveOutput, deriveTask, isDoc, recipientsOf, type Doc, type InstructionBundle } from "./model";
import { messagePlaceOf, scanTree, type FileKind, type ScannedFile } from "./tree";
import { parseYaml } from "./yaml";

export type ItemKind = "instruction" | "document" | "task" | "output" | "message";
export interface Counts {
  imported: number;
  updated: number;
  unchanged: number;
  skipped: number;
}
export interface Problem {
  path: string;
  reason: string;
}
export interface ImportSummary extends Counts {
  root: string;
  byKind: Record<ItemKind, Counts>;
  /** Every file that was skipped, with why: invalid YAML, unknown shape, unsafe name, collision... */
  errors: Problem[];
  /** Imported, with a remark (a dependency that is not a task, a `to:` that disagrees with its folder). */
  warnings: Problem[];
  /** Not part of what the bridge imports (shared knowledge, non-YAML files, conflict copies). */
  ignored: Problem[];
  eventIds: number[];
  durationMs: number;
}

export interface ImportOptions {
  /** An instruction id already used by an instruction created at another time: skip the folder (default) or merge into it. */
  onCollision?: "skip" | "merge";
  /** Who the events name (default the system actor `folder-bridge`). */
  actor?: Actor;
  now?: () => number;
}

const zero = (): Counts => ({ imported: 0, updated: 0, unchanged: 0, skipped: 0 });

/** The running state of one import: the context for the verbs and the tally. */
export class ImportSession {
  readonly ctx: ServiceContext;
  readonly summary: ImportSummary;
  private readonly started = Date.now();

  constructor(
    db: Db,
    readonly root: string,
    readonly opts: ImportOptions = {},
  ) {
    this.ctx = { db, actor: opts.actor ?? FOLDER_BRIDGE, now: opts.now };
    this.summary = {
      root,
      imported: 0,
      updated: 0,
      unchanged: 0,
      skipped: 0,
      byKind: { instruction: zero(), document: zero(), task: zero(), output: zero(), message: zero() },
      errors: [],
      warnings: [],
      ignored: [],
      eventIds: [],
      durationMs: 0,
    };
  }

  count(kind: ItemKind, outcome: ImportOutcome | "skipped") {
    const key = outcome === "created" ? "imported" : outcome;
    this.summary[key]++;
    this.summary.byKind[kind][key]++;
  }
  skip(kind: ItemKind, rel: string, reason: string) {
    this.count(kind, "skipped");
    this.summary.errors.push({ path: rel, reason });
  }
  warn(rel: string, reason: string) {
    this.summary.warnings.push({ path: rel, reason });
  }
  events(ids: number[]) {
    this.summary.eventIds.push(...ids);
  }
  finish(): ImportSummary {
    this.summary.durationMs = Date.now() - this.started;
    return this.summary;
  }
}

export type Loaded = { ok: true; rel: string; text: string; hash: string; mtimeMs: number; doc: Doc } | { ok: false; rel: string; reason: string; parseError?: boolean };

/** Reads and parses one file under the root, with the size, alias, depth and symlink limits. */
export function loadDoc(root: string, rel: string): Loaded {
  let read;
  try {
    read = readFileInside(root, rel.split("/"));
  } catch (err) {
    if (err instanceof UnsafePathError) return { ok: false, rel, reason: `refused: ${err.message}` };
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, rel, reason: code === "ENOENT" ? "the file is gone" : `cannot read: ${(err as Error).message}` };
  }
  const parsed = parseYaml(read.text);
  if (!parsed.ok) return { ok: false, rel, reason: parsed.reason, parseError: true };
  if (!isDoc(parsed.value)) {
    const what = parsed.value === null ? "an empty document" : Array.isArray(parsed.value) ? "a list" : "a single value";
    return { ok: false, rel, reason: `unknown shape: expected a mapping of fields, found ${what}`, parseError: parsed.value === null };
  }
  return { ok: true, rel, text: read.text, hash: read.hash, mtimeMs: read.mtimeMs, doc: parsed.value };
}

export const NOTE_FILE = /\.md$/i;

/** Reads a markdown note under the root (same limits and symlink rules as a YAML file). */
export function loadNote(root: string, rel: string): { ok: true; text: string; hash: string } | { ok: false; reason: string } {
  try {
    const r = readFileInside(root, rel.split("/"));
    return { ok: true, text: r.text, hash: r.hash };
  } catch (err) {
    if (err instanceof UnsafePathError) return { ok: false, reason: `refused: ${err.message}` };
    return { ok: false, reason: `cannot read: ${(err as Error).message}` };
  }
}

const errText = (err: unknown) => (isServiceError(err) ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err));

/* ---------------- file → verb input ---------------- */

export type Prepared<T> = { ok: true; input: T; warnings: string[] } | { ok: false; reason: string };

export function taskInput(
  l: Extract<Loaded, { ok: true }>,
  k: Pick<Extract<FileKind, { kind: "task" }>, "instructionId" | "folder" | "fileName">,
): Prepared<ImportTaskInput & { dependsOn: string[] }> {
  const { instructionId, folder, fileName } = k;
  const d = deriveTask(l.doc, fileName.replace(/\.ya?ml$/i, ""));
  if (!d.ok) return d;
  const f = d.fields;
  // The folder is the state; where there is none (tasks/strategic/, tasks/tactical/{domain}/) the file's `status:` is.
  const status = folder ?? f.status ?? "pending";
  if (folder === null && f.status === null && l.doc.status !== undefined) d.warnings.push(`status ${JSON.stringify(l.doc.status)} is not a task state: taken as pending`);
  return {
    ok: true,
    warnings: d.warnings,
    input: {
      instructionId,
      ref: f.ref,
      title: f.title,
      description: f.description,
      type: f.type,
      assignedAgent: f.assignedAgent,
      status,
      priority: f.priority,
      authority: f.authority,
      deadline: f.deadline,
      acceptanceCriteria: f.acceptanceCriteria,
      filesToModify: f.filesToModify,
      filesToCreate: f.filesToCreate,
      dependsOn: f.dependsOn,
      parentRef: f.parentRef,
      blockedReason: f.blockedReason,
      blockerType: f.blockerType,
      createdAt: f.createdAt ?? Math.floor(l.mtimeMs),
      createdAtKnown: f.createdAt !== null,
      completedAt: f.completedAt,
      createdBy: f.createdBy ?? BRIDGE_NAME,
      sourcePath: l.rel,
      original: l.doc,
    },
  };
}

export function messageInput(l: Extract<Loaded, { ok: true }>, k: Pick<Extract<FileKind, { kind: "message" }>, "inboxFolder" | "fileName" | "place">): Prepared<ImportMessageInput> {
  const where = messagePlaceOf(k.place, k.inboxFolder);
  if (!where.ok) return where;
  const d = deriveMessage(l.doc, k.fileName, where.defaults);
  if (!d.ok) return d;
  const f = d.fields;
  const toInbox = where.toInbox;
  const warnings = [...d.warnings];
  if (f.to && f.to !== toInbox) warnings.push(`to: ${f.to} but the file is in the inbox of ${toInbox}: the folder decides`);
  return {
    ok: true,
    warnings,
    input: {
      ...(f.id ? { id: f.id } : {}),
      sourcePath: l.rel,
      fromKind: f.from.kind,
      fromName: f.from.name,
      toInbox,
      ...(where.defaults.channel ? { channelMembers: recipientsOf(l.doc) } : {}),
      type: f.type,
      priority: f.priority,
      subject: f.subject,
      body: f.body,
      instructionId: f.instructionId,
      taskRef: f.taskRef,
      inReplyTo: f.inReplyTo,
      threadId: f.threadId,
      stepPosition: f.stepPosition,
      createdAt: f.createdAt ?? Math.floor(l.mtimeMs),
      createdAtKnown: f.createdAt !== null,
      original: l.doc,
    },
  };
}

export function outputInput(l: Extract<Loaded, { ok: true }>, instructionId: string, fileName: string): Prepared<ImportOutputInput> {
  const d = deriveOutput(l.doc, l.text, fileName);
  if (!d.ok) return d;
  const f = d.fields;
  if (f.content.trim() === "") return { ok: false, reason: "the result is empty" };
  return {
    ok: true,
    warnings: d.warnings,
    input: {
      instructionId,
      taskRef: f.taskRef,
      sourcePath: l.rel,
      format: f.format,
      language: f.language,
      content: f.content,
      files: f.files,
      submittedBy: f.submittedBy ?? BRIDGE_NAME,
      createdAt: f.createdAt ?? Math.floor(l.mtimeMs),
      placeholder: {
        title: f.taskRef,
        assignedAgent: f.submittedBy ?? UNASSIGNED_AGENT,
        status: f.status === "completed" || f.status === "done" ? "completed" : "in_progress",
      },
    },
  };
}

/* ---------------- instructions ---------------- */

export interface FolderImport {
  /** The instruction exists (created, updated or unchanged): its tasks and outputs may be imported. */
  ok: boolean;
  /** Files read successfully, with the hash that was imported (the mirror remembers these). */
  read: Map<string, string>;
}

/**
 * Imports an instruction folder's own files: instruction.yaml, status.yaml, and every other document
 * in it (plan, decisions, reviews, episodic logs, corrections, final outputs), kept as text in the
 * instruction's `original`. `keepFields` protects what the database won in a conflict.
 */
export function importInstructionFolder(
  s: ImportSession,
  instructionId: string,
  files: ScannedFile[],
  extra: { keepFields?: ImportInstructionInput["keepFields"]; folderMtimeMs?: number } = {},
): FolderImport {
  const read = new Map<string, string>();
  // The folder: the instruction id, or the session folder (sessions/{kind}_{date}_{time}) it was read from.
  const base = (files.find((f) => "base" in f.kind)?.kind as { base: string } | undefined)?.base ?? instructionFolder(instructionId);
  const bundle: InstructionBundle = { id: instructionId };
  const documents: Record<string, string> = {};
  const keepDocuments: string[] = [];
  let badHeader = false;
  let instructionDoc: Doc | null = null;
  let statusDoc: Doc | null = null;
  const docFiles: ScannedFile[] = [];
  for (const f of files) {
    if (f.kind.kind === "document" && NOTE_FILE.test(f.kind.docPath)) {
      // A session's markdown notes: kept as text, not parsed.
      const n = loadNote(s.root, f.rel);
      if (!n.ok) {
        s.skip("document", f.rel, n.reason);
        keepDocuments.push(f.kind.docPath);
        continue;
      }
      read.set(f.rel, n.hash);
      documents[f.kind.docPath] = n.text;
      docFiles.push(f);
      continue;
    }
    const l = loadDoc(s.root, f.rel);
    if (f.kind.kind === "instruction-file") {
      if (!l.ok) {
        s.skip("instruction", f.rel, l.reason);
        badHeader = true;
        continue;
      }
      read.set(f.rel, l.hash);
      if (f.kind.name === "instruction.yaml") instructionDoc = l.doc;
      else statusDoc = l.doc;
    } else if (f.kind.kind === "document") {
      if (!l.ok) {
        s.skip("document", f.rel, l.reason);
        keepDocuments.push(f.kind.docPath);
        continue;
      }
      read.set(f.rel, l.hash);
      documents[f.kind.docPath] = l.text;
      docFiles.push(f);
      if (f.kind.docPath === "workflow/plan.yaml") bundle.plan = l.doc;
    }
  }
  if (instructionDoc) bundle.instruction = instructionDoc;
  if (statusDoc) bundle.status = statusDoc;
  for (const [doc, name] of [
    [instructionDoc, "instruction.yaml"],
    [statusDoc, "status.yaml"],
  ] as const) {
    const said = doc && (name === "instruction.yaml" ? doc.id : doc.instruction_id);
    if (said !== undefined && said !== null && said !== instructionId && base === instructionId)
      s.warn(`${base}/${name}`, `says ${JSON.stringify(said)} but sits in folder ${instructionId}: the folder decides`);
  }
  const f = deriveInstruction(bundle);
  const hasInstruction = files.some((x) => x.kind.kind === "instruction-file" && x.kind.name === "instruction.yaml");
  const hasStatus = files.some((x) => x.kind.kind === "instruction-file" && x.kind.name === "status.yaml");
  const fallbackTime = Math.floor(extra.folderMtimeMs ?? Math.min(Date.now(), ...files.map((x) => x.mtimeMs)));
  const input: ImportInstructionInput = {
    id: instructionId,
    title: f.title,
    body: f.body,
    tier: f.tier,
    priority: f.priority,
    phase: f.phase,
    createdBy: f.createdBy,
    createdAt: f.createdAt ?? fallbackTime,
    createdAtKnown: f.createdAt !== null,
    updatedAt: f.updatedAt ?? undefined,
    sourcePath: hasInstruction ? `${base}/instruction.yaml` : hasStatus ? `${base}/status.yaml` : base,
    // An unreadable instruction.yaml or status.yaml leaves what is stored alone.
    instructionDoc: badHeader ? undefined : instructionDoc,
    statusDoc: badHeader ? undefined : statusDoc,
    documents,
    keepDocuments,
    onCollision: s.opts.onCollision ?? "skip",
    keepFields: badHeader ? ["title", "body", "tier", "priority", "phase", "createdBy"] : (extra.keepFields ?? []),
  };
  try {
    const r = importInstruction(s.ctx, input);
    s.events(r.eventIds);
    const header = r.changedFields.length > 0 || r.changedDocuments.includes("instruction.yaml") || r.changedDocuments.includes("status.yaml");
    s.count("instruction", r.outcome === "created" ? "created" : header ? "updated" : "unchanged");
    for (const d of docFiles) {
      const docPath = (d.kind as Extract<FileKind, { kind: "document" }>).docPath;
      s.count("document", r.outcome === "created" ? "created" : r.changedDocuments.includes(docPath) ? "updated" : "unchanged");
    }
    return { ok: true, read };
  } catch (err) {
    const reason = errText(err);
    if (files.length === 0) s.skip("instruction", instructionId, reason);
    for (const x of files) if (read.has(x.rel)) s.skip(x.kind.kind === "document" ? "document" : "instruction", x.rel, reason);
    return { ok: false, read: new Map() };
  }
}

/* ---------------- the whole tree ---------------- */

/**
 * Imports an Agent_Memory tree: instruction folders (instruction, status, documents, tasks, results),
 * then every inbox and broadcast message. A bad file is reported with its path and reason and
 * skipped; the rest is imported. Running it again on unchanged files writes nothing.
 */
export function importTree(db: Db, dir: string, opts: ImportOptions = {}): ImportSummary {
  const root = resolveRoot(dir);
  const s = new ImportSession(db, root, opts);
  const scan = scanTree(root);
  s.summary.ignored.push(...scan.ignored);
  for (const e of scan.errors) {
    s.summary.errors.push(e);
    s.summary.skipped++;
  }
  const byInstruction = new Map<string, ScannedFile[]>();
  const messages: ScannedFile[] = [];
  for (const f of scan.files) {
    const k = f.kind;
    if (k.kind === "unknown") s.skip(kindOfUnknown(f.rel), f.rel, `unknown location: ${k.reason}`);
    else if (k.kind === "message") messages.push(f);
    else if ("instructionId" in k) {
      const list = byInstruction.get(k.instructionId) ?? [];
      list.push(f);
      byInstruction.set(k.instructionId, list);
    }
  }
  for (const [id, files] of [...byInstruction.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    importFolder(s, id, files);
  }
  importMessages(s, messages);
  return s.finish();
}

function kindOfUnknown(rel: string): ItemKind {
  return rel.startsWith("_communication/") ? "message" : rel.includes("/tasks/") ? "task" : rel.includes("/outputs/") ? "output" : "document";
}

function folderMtime(root: string, base: string): number | undefined {
  try {
    return fs.statSync(joinInside(root, base.split("/"))).mtimeMs;
  } catch {
    return undefined;
  }
}

function importFolder(s: ImportSession, id: string, files: ScannedFile[]) {
  const own = files.filter((f) => f.kind.kind === "instruction-file" || f.kind.kind === "document");
  const taskFiles = files.filter((f) => f.kind.kind === "task");
  const outputFiles = files.filter((f) => f.kind.kind === "output");
  const base = files.find((f) => "base" in f.kind)?.kind as { base: string } | undefined;
  const folder = importInstructionFolder(s, id, own, { folderMtimeMs: folderMtime(s.root, base?.base ?? id) });
  if (!folder.ok) {
    for (const f of [...taskFiles, ...outputFiles]) s.skip(f.kind.kind === "task" ? "task" : "output", f.rel, `instruction ${id} was not imported`);
    return;
  }
  importTasks(s, id, taskFiles);
  for (const f of outputFiles) importOutputFile(s, f);
}

/** Tasks of one instruction: duplicates resolved (the newest file wins), then dependencies by ref. */
export function importTasks(s: ImportSession, instructionId: string, files: ScannedFile[]): Map<string, string> {
  const read = new Map<string, string>();
  const prepared: { rel: string; mtimeMs: number; input: ImportTaskInput & { dependsOn: string[] } }[] = [];
  for (const f of files) {
    const k = f.kind as Extract<FileKind, { kind: "task" }>;
    const l = loadDoc(s.root, f.rel);
    if (!l.ok) {
      s.skip("task", f.rel, l.reason);
      continue;
    }
    const p = taskInput(l, k);
    if (!p.ok) {
      s.skip("task", f.rel, p.reason);
      continue;
    }
    for (const w of p.warnings) s.warn(f.rel, w);
    read.set(f.rel, l.hash);
    prepared.push({ rel: f.rel, mtimeMs: l.mtimeMs, input: p.input });
  }
  const byRef = new Map<string, (typeof prepared)[number]>();
  for (const p of prepared.sort((a, b) => b.mtimeMs - a.mtimeMs || (a.rel < b.rel ? -1 : 1))) {
    const first = byRef.get(p.input.ref);
    if (first) {
      s.skip("task", p.rel, `task ${p.input.ref} is also in ${first.rel} (the newer file): this copy is ignored`);
      read.delete(p.rel);
    } else byRef.set(p.input.ref, p);
  }
  const retry: (typeof prepared)[number][] = [];
  for (const p of [...byRef.values()].sort((a, b) => (a.input.ref < b.input.ref ? -1 : 1))) {
    try {
      const r = importTask(s.ctx, p.input);
      s.events(r.eventIds);
      s.count("task", r.outcome);
      if (r.unresolvedDependencies.length) retry.push(p);
    } catch (err) {
      s.skip("task", p.rel, errText(err));
      read.delete(p.rel);
    }
  }
  // Dependencies on tasks imported later in the same folder are linked in a second pass.
  for (const p of retry) {
    try {
      const r = importTask(s.ctx, p.input);
      s.events(r.eventIds);
      for (const u of r.unresolvedDependencies) {
        const what = u === p.input.parentRef ? "parent task" : "dependency";
        s.warn(p.rel, `${what} ${u} is not a task of ${instructionId}: kept in the file, not linked`);
      }
    } catch (err) {
      s.warn(p.rel, `dependencies not linked: ${errText(err)}`);
    }
  }
  return read;
}

export function importOutputFile(s: ImportSession, f: ScannedFile): string | null {
  const k = f.kind as Extract<FileKind, { kind: "output" }>;
  const l = loadDoc(s.root, f.rel);
  if (!l.ok) {
    s.skip("output", f.rel, l.reason);
    return null;
  }
  const p = outputInput(l, k.instructionId, k.fileName);
  if (!p.ok) {
    s.skip("output", f.rel, p.reason);
    return null;
  }
  for (const w of p.warnings) s.warn(f.rel, w);
  try {
    const r = importOutput(s.ctx, p.input);
    s.events(r.eventIds);
    s.count("output", r.outcome);
    if (r.placeholder) s.warn(f.rel, `no task file for ${p.input.taskRef}: the task was created from the result`);
    return l.hash;
  } catch (err) {
    s.skip("output", f.rel, errText(err));
    return null;
  }
}

/** Messages oldest first, so a reply finds the message it answers. */
export function importMessages(s: ImportSession, files: ScannedFile[]): Map<string, string> {
  const read = new Map<string, string>();
  const prepared: { rel: string; hash: string; input: ImportMessageInput }[] = [];
  for (const f of files) {
    const k = f.kind as Extract<FileKind, { kind: "message" }>;
    const l = loadDoc(s.root, f.rel);
    if (!l.ok) {
      s.skip("message", f.rel, l.reason);
      continue;
    }
    const p = messageInput(l, k);
    if (!p.ok) {
      s.skip("message", f.rel, p.reason);
      continue;
    }
    for (const w of p.warnings) s.warn(f.rel, w);
    prepared.push({ rel: f.rel, hash: l.hash, input: p.input });
  }
  prepared.sort((a, b) => a.input.createdAt - b.input.createdAt || (a.rel < b.rel ? -1 : 1));
  for (const p of prepared) {
    try {
      const r = importMessage(s.ctx, p.input);
      s.events(r.eventIds);
      s.count("message", r.outcome);
      read.set(p.rel, p.hash);
    } catch (err) {
      s.skip("message", p.rel, errText(err));
    }
  }
  return read;
}
