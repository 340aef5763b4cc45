import "server-only";
import type { Db } from "@/db/client";
import type { Actor } from "@/lib/auth/actor";
import { taskFields, type ServiceContext } from "@/lib/services";
import {
  FOLDER_BRIDGE,
  INSTRUCTION_ID_PATTERN,
  PROTOCOL_AGENT_PATTERN,
  protocolInstructions,
  protocolLatestOutputs,
  protocolMessages,
  protocolReviews,
  protocolTasks,
  taskFolderOf,
  type InstructionOriginal,
  type ProtocolInstruction,
  type ProtocolMessage,
  type ProtocolOutput,
  type ProtocolReview,
  type ProtocolTask,
} from "@/lib/services/protocol";
import { PEOPLE_INBOX } from "@/lib/domain/vocabulary";
import { joinInside, readFileInside, removeFileInside, resolveRoot, safeRelative, safeSegment, UnsafePathError, writeFileAtomic } from "./fs-safe";
import {
  applyInstruction,
  applyMessage,
  applyTask,
  BROADCAST,
  CHANNEL_PREFIX,
  freshInstructionDocs,
  freshMessageDoc,
  freshTaskDoc,
  isDoc,
  messageFileName,
  renderOutput,
  renderReview,
  reviewFileName,
  TASK_FOLDERS,
  type Doc,
  type MessageDefaults,
} from "./model";
import { parseYaml, toYaml } from "./yaml";
import { CHANNEL_PATTERN, classify, messagePlaceOf, SESSION_PATTERN, SESSIONS_FOLDER } from "./tree";

/** One file the database says should exist: where, what, and whether the modelled fields differed from `base`. */
export interface PlannedFile {
  rel: string;
  text: string;
  hard: string[];
  soft: string[];
}

const YAML_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:@+-]{0,199}\.ya?ml$/;

/**
 * The folder an instruction lives in: its id, or `sessions/{session}` for the one instruction of a
 * session folder (id `inst_` + the session's name, see tree.ts).
 */
export function instructionFolder(instructionId: string): string {
  if (!INSTRUCTION_ID_PATTERN.test(instructionId)) throw new UnsafePathError(`instruction id ${JSON.stringify(instructionId)} is not a folder name`);
  const session = instructionId.slice("inst_".length);
  return SESSION_PATTERN.test(session) ? `${SESSIONS_FOLDER}/${session}` : instructionId;
}
const baseName = (p: string | null | undefined) => (p ? p.split("/").pop()! : null);

function parsedDoc(text: string | undefined): Doc | undefined {
  if (text === undefined) return undefined;
  const p = parseYaml(text);
  return p.ok && isDoc(p.value) ? p.value : undefined;
}

/* ---------------- instructions ---------------- */

/** instruction.yaml, status.yaml and the stored documents of an instruction. `base` overrides the stored headers (the files on disk). */
export function instructionFiles(r: ProtocolInstruction, base?: { instruction?: Doc; status?: Doc }, opts: { documents?: boolean } = {}): PlannedFile[] {
  const dir = instructionFolder(r.id);
  const original = (r.original ?? null) as InstructionOriginal | null;
  const out: PlannedFile[] = [];
  const instructionDoc = base ? base.instruction : original?.["instruction.yaml"];
  const statusDoc = base ? base.status : original?.["status.yaml"];
  if (!original && !base) {
    const fresh = freshInstructionDocs(r);
    out.push({ rel: `${dir}/instruction.yaml`, text: toYaml(fresh.instruction), hard: ["created"], soft: [] });
    out.push({ rel: `${dir}/status.yaml`, text: toYaml(fresh.status), hard: ["created"], soft: [] });
  } else {
    const applied = applyInstruction({ id: r.id, instruction: instructionDoc, status: statusDoc, plan: parsedDoc(original?.documents?.["workflow/plan.yaml"]) }, r);
    const i = applied.instruction ?? instructionDoc;
    const s = applied.status ?? statusDoc;
    const iFields = ["title", "body", "priority", "createdAt", "createdBy"];
    if (i) out.push({ rel: `${dir}/instruction.yaml`, text: toYaml(i), hard: applied.hard.filter((f) => iFields.includes(f)), soft: applied.soft });
    if (s) out.push({ rel: `${dir}/status.yaml`, text: toYaml(s), hard: applied.hard.filter((f) => !iFields.includes(f)), soft: [] });
  }
  if (opts.documents !== false) {
    for (const [p, text] of Object.entries(original?.documents ?? {})) {
      safeRelative(p, "document path");
      out.push({ rel: `${dir}/${p}`, text, hard: [], soft: [] });
    }
  }
  return out;
}

/* ---------------- tasks ---------------- */

/**
 * Where a task's file goes: back where it was imported from (its file name, and its layout: state
 * folders under tasks/, or a `status:` field in tasks/strategic/ and tasks/tactical/{domain}/), else
 * `{instruction}/tasks/{state}/{ref}.yaml`.
 */
export function taskPlace(t: Pick<ProtocolTask, "ref" | "sourcePath" | "instructionId">): { name: string; dir: string; byFolder: boolean } {
  const from = t.sourcePath ? classify(t.sourcePath) : null;
  const own = from?.kind === "task" && from.instructionId === t.instructionId && YAML_NAME.test(from.fileName) ? from : null;
  const name = own ? own.fileName : `${t.ref}.yaml`;
  if (!YAML_NAME.test(name)) throw new UnsafePathError(`task ${JSON.stringify(t.ref)} has no usable file name`);
  safeSegment(name, "task file name");
  if (own) {
    safeRelative(own.dir, "task folder");
    return { name, dir: own.dir, byFolder: own.folder !== null };
  }
  return { name, dir: `${instructionFolder(t.instructionId)}/tasks`, byFolder: true };
}

export function taskFileName(t: Pick<ProtocolTask, "ref" | "sourcePath" | "instructionId">): string {
  return taskPlace(t).name;
}

/** Where the task's file is now: in the folder of its status, or (a `status:` field layout) where it always was. */
export function taskPath(t: Pick<ProtocolTask, "ref" | "sourcePath" | "instructionId" | "status">): string {
  const p = taskPlace(t);
  return p.byFolder ? `${p.dir}/${taskFolderOf(t.status)}/${p.name}` : `${p.dir}/${p.name}`;
}

export function taskRecord(t: ProtocolTask) {
  return {
    ref: t.ref,
    ...taskFields(t),
    deadline: t.deadline,
    acceptanceCriteria: t.acceptanceCriteria,
    filesToModify: t.filesToModify,
    filesToCreate: t.filesToCreate,
    dependsOn: t.dependsOn,
    parentRef: t.parentRef,
    blockedReason: t.blockedReason,
    blockerType: t.blockerType,
    createdAt: t.createdAt,
    completedAt: t.completedAt,
    createdBy: t.createdBy,
  };
}

/** The task's file, in the folder of its status; `base` is the document to merge into (the file on disk, else the stored original). */
export function taskFile(t: ProtocolTask, knownRefs: ReadonlySet<string>, base?: Doc | null): PlannedFile {
  const place = taskPlace(t);
  const rec = taskRecord(t);
  const start = base ?? (t.original as Doc | null) ?? null;
  const applied = applyTask(start ?? freshTaskDoc(rec), rec, { fileStem: place.name.replace(/\.ya?ml$/, ""), knownRefs, statusField: !place.byFolder });
  return { rel: taskPath(t), text: toYaml(applied.doc), hard: start ? applied.hard : ["created"], soft: applied.soft };
}

/** Where else the same task file may lie (another state folder): removed when the task moves. */
export function otherTaskPaths(t: ProtocolTask): string[] {
  const p = taskPlace(t);
  if (!p.byFolder) return [];
  const here = taskFolderOf(t.status);
  return TASK_FOLDERS.filter((f) => f !== here).map((f) => `${p.dir}/${f}/${p.name}`);
}

/* ---------------- messages ---------------- */

/** The folder of an inbox: an agent's or the people's inbox, the broadcast folder, or a channel in it. */
export function messageFolder(m: Pick<ProtocolMessage, "toInbox">): string {
  if (m.toInbox === BROADCAST) return "_communication/broadcast";
  if (m.toInbox.startsWith(CHANNEL_PREFIX)) {
    const channel = m.toInbox.slice(CHANNEL_PREFIX.length);
    if (!CHANNEL_PATTERN.test(channel)) throw new UnsafePathError(`channel ${JSON.stringify(channel)} is not a folder name`);
    return `_communication/broadcast/${safeSegment(channel, "channel")}`;
  }
  if (m.toInbox !== PEOPLE_INBOX && !PROTOCOL_AGENT_PATTERN.test(m.toInbox)) throw new UnsafePathError(`inbox ${JSON.stringify(m.toInbox)} is not a folder name`);
  return `_communication/inbox/${safeSegment(m.toInbox, "inbox")}`;
}

/**
 * Where a message's file goes: back where it was imported from (an inbox, a channel, a report, a
 * hand-off, a session's _communication/) while that place still means the message's inbox; else the
 * inbox's folder. `defaults` are what that place implies (a report's type and sender).
 */
export function messagePlace(m: Pick<ProtocolMessage, "toInbox" | "sourcePath">): { dir: string; name: string | null; defaults: MessageDefaults } {
  const from = m.sourcePath ? classify(m.sourcePath) : null;
  if (from?.kind === "message" && YAML_NAME.test(from.fileName)) {
    const where = messagePlaceOf(from.place, from.inboxFolder);
    if (where.ok && where.toInbox === m.toInbox) {
      safeRelative(from.place.dir, "message folder");
      return { dir: from.place.dir, name: from.fileName, defaults: where.defaults };
    }
  }
  return { dir: messageFolder(m), name: null, defaults: m.toInbox.startsWith(CHANNEL_PREFIX) ? { channel: true } : {} };
}

/** The name a message had when it was imported, if it still lives in the same inbox. */
export function messageSourceName(m: Pick<ProtocolMessage, "sourcePath" | "toInbox">): string | null {
  return messagePlace(m).name;
}

export interface LinkIndex {
  knownInstruction: (id: string) => boolean;
  knownTask: (instructionId: string, ref: string) => boolean;
}

export function messageRecord(m: ProtocolMessage) {
  return {
    id: m.id,
    threadId: m.threadId,
    inReplyTo: m.inReplyTo,
    fromKind: m.fromKind,
    fromName: m.fromName,
    toInbox: m.toInbox,
    type: m.type,
    priority: m.priority,
    subject: m.subject,
    body: m.body,
    instructionId: m.instructionId,
    stepPosition: m.stepPosition,
    createdAt: m.createdAt,
    taskRef: m.taskRef,
  };
}

export function messageFile(m: ProtocolMessage, links: LinkIndex, fileName: string, base?: Doc | null): PlannedFile {
  if (!YAML_NAME.test(fileName)) throw new UnsafePathError(`message file name ${JSON.stringify(fileName)} is not usable`);
  const rec = messageRecord(m);
  const start = base ?? (m.original as Doc | null) ?? null;
  const place = messagePlace(m);
  const applied = applyMessage(start ?? freshMessageDoc(rec), rec, { fileName, ...links, defaults: place.defaults });
  return { rel: `${place.dir}/${safeSegment(fileName, "message file name")}`, text: toYaml(applied.doc), hard: start ? applied.hard : ["created"], soft: applied.soft };
}

/* ---------------- outputs and reviews ---------------- */

export function outputFile(o: ProtocolOutput): PlannedFile {
  const dir = instructionFolder(o.instructionId);
  const fromSource = o.sourcePath?.startsWith(`${dir}/outputs/partial/`) && o.sourcePath.split("/").length === dir.split("/").length + 3 ? baseName(o.sourcePath) : null;
  const name = fromSource && YAML_NAME.test(fromSource) ? fromSource : `${o.taskRef}_result.yaml`;
  if (!YAML_NAME.test(name)) throw new UnsafePathError(`task ${JSON.stringify(o.taskRef)} has no usable result file name`);
  return { rel: `${dir}/outputs/partial/${safeSegment(name, "result file name")}`, text: renderOutput(o), hard: ["content"], soft: [] };
}

export function reviewFile(r: ProtocolReview): PlannedFile {
  const dir = instructionFolder(r.instructionId);
  const name = reviewFileName(r);
  if (!YAML_NAME.test(name)) throw new UnsafePathError(`review of task ${JSON.stringify(r.taskRef)} has no usable file name`);
  return { rel: `${dir}/reviews/${name}`, text: renderReview(r), hard: ["review"], soft: [] };
}

/* ---------------- writing ---------------- */

export type ExportKind = "instruction" | "document" | "task" | "message" | "output" | "review";
export interface ExportSummary {
  root: string;
  written: number;
  unchanged: number;
  removed: number;
  byKind: Record<ExportKind, { written: number; unchanged: number }>;
  errors: { path: string; reason: string }[];
  durationMs: number;
}

/** The file's current text, or null when it is absent or unreadable. */
export function currentText(root: string, rel: string): string | null {
  try {
    return readFileInside(root, rel.split("/")).text;
  } catch {
    return null;
  }
}

/** Writes a planned file unless the same text is already there. Returns true when it wrote. */
export function putFile(root: string, f: PlannedFile): boolean {
  const segs = safeRelative(f.rel, "path");
  joinInside(root, segs);
  if (currentText(root, f.rel) === f.text) return false;
  writeFileAtomic(root, segs, f.text);
  return true;
}

function docOnDisk(root: string, rel: string): Doc | null {
  const text = currentText(root, rel);
  if (text === null) return null;
  const p = parseYaml(text);
  return p.ok && isDoc(p.value) ? p.value : null;
}

/**
 * Writes the database out as an Agent_Memory tree: instruction folders (instruction.yaml,
 * status.yaml, their documents, tasks in the folder of their status, the latest result of each task,
 * reviews), inbox and broadcast messages under their original names when known. Modelled fields are
 * merged into the document (the file already there, else the stored original), so fields AgentDesk
 * does not model come back as written. A file already saying what the database says is left alone;
 * a task file whose state changed moves to its new folder.
 */
export function exportTree(db: Db, dir: string, opts: { actor?: Actor } = {}): ExportSummary {
  const started = Date.now();
  const root = resolveRoot(dir, { create: true });
  const ctx: ServiceContext = { db, actor: opts.actor ?? FOLDER_BRIDGE };
  const summary: ExportSummary = {
    root,
    written: 0,
    unchanged: 0,
    removed: 0,
    byKind: {
      instruction: { written: 0, unchanged: 0 },
      document: { written: 0, unchanged: 0 },
      task: { written: 0, unchanged: 0 },
      message: { written: 0, unchanged: 0 },
      output: { written: 0, unchanged: 0 },
      review: { written: 0, unchanged: 0 },
    },
    errors: [],
    durationMs: 0,
  };
  const tally = (kind: ExportKind, wrote: boolean) => {
    summary[wrote ? "written" : "unchanged"]++;
    summary.byKind[kind][wrote ? "written" : "unchanged"]++;
  };
  /** Writes when the file is missing or `needed`; counts either way. */
  const put = (kind: ExportKind, f: PlannedFile, needed: (exists: boolean) => boolean) => {
    try {
      const exists = currentText(root, f.rel) !== null;
      tally(kind, needed(exists) ? putFile(root, f) : false);
    } catch (err) {
      summary.errors.push({ path: f.rel, reason: (err as Error).message });
    }
  };
  const attempt = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (err) {
      summary.errors.push({ path: what, reason: (err as Error).message });
    }
  };

  const instructionIds = new Set<string>();
  for (const r of protocolInstructions(ctx)) {
    attempt(r.id, () => {
      const original = (r.original ?? null) as InstructionOriginal | null;
      const i = docOnDisk(root, `${instructionFolder(r.id)}/instruction.yaml`);
      const st = docOnDisk(root, `${instructionFolder(r.id)}/status.yaml`);
      const base = i || st ? { instruction: i ?? original?.["instruction.yaml"], status: st ?? original?.["status.yaml"] } : undefined;
      for (const f of instructionFiles(r, base)) {
        const header = f.rel.endsWith("/instruction.yaml") || f.rel.endsWith("/status.yaml");
        // Documents belong to the agents: written where missing, never over a file that is there.
        put(header ? "instruction" : "document", f, (exists) => !exists || (header && f.hard.length > 0));
      }
      instructionIds.add(r.id);
    });
  }
  const tasks = protocolTasks(ctx);
  const refs = new Map<string, Set<string>>();
  for (const t of tasks) {
    const set = refs.get(t.instructionId) ?? new Set<string>();
    set.add(t.ref);
    refs.set(t.instructionId, set);
  }
  for (const t of tasks) {
    attempt(`${t.instructionId}/tasks/${t.ref}`, () => {
      const here = taskPath(t);
      const current = [here, ...otherTaskPaths(t)].find((p) => currentText(root, p) !== null) ?? null;
      const planned = taskFile(t, refs.get(t.instructionId)!, current ? docOnDisk(root, current) : null);
      put("task", planned, (exists) => !exists || planned.hard.length > 0 || current !== planned.rel);
      for (const other of otherTaskPaths(t)) if (removeFileInside(root, other.split("/"))) summary.removed++;
    });
  }
  for (const o of protocolLatestOutputs(ctx)) {
    attempt(`${o.instructionId}/outputs/${o.taskRef}`, () => {
      const planned = outputFile(o);
      // A result file that is the source of the latest version may hold newer work: it wins.
      put("output", planned, (exists) => !exists || o.sourcePath !== planned.rel);
    });
  }
  for (const r of protocolReviews(ctx)) attempt(`${r.instructionId}/reviews/${r.id}`, () => put("review", reviewFile(r), () => true));

  const links: LinkIndex = { knownInstruction: (id) => instructionIds.has(id), knownTask: (i, ref) => refs.get(i)?.has(ref) ?? false };
  const used = new Set<string>();
  let afterSeq = 0;
  for (;;) {
    const page = protocolMessages(ctx, { afterSeq, limit: 1000 });
    if (page.length === 0) break;
    afterSeq = page[page.length - 1].seq;
    for (const m of page) {
      attempt(`message ${m.id}`, () => {
        const folder = messagePlace(m).dir;
        let name = messageSourceName(m) ?? messageFileName(m);
        let base = docOnDisk(root, `${folder}/${name}`);
        // Another message's file under the same name (one born here, in the same second): use a unique one.
        if (used.has(`${folder}/${name}`) || (!messageSourceName(m) && base && base.message_id !== m.id)) {
          name = messageFileName(m, true);
          base = docOnDisk(root, `${folder}/${name}`);
        }
        used.add(`${folder}/${name}`);
        const planned = messageFile(m, links, name, base);
        put("message", planned, (exists) => !exists || planned.hard.length > 0);
      });
    }
  }
  summary.durationMs = Date.now() - started;
  return summary;
}
