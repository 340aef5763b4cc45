import "server-only";
// Database → files: the events table is read after the last id seen (skipping the mirror's own),
// and the tasks, messages, outputs, reviews and instructions those events touch are written
// atomically where the protocol keeps them. A path holding changes the mirror has not read yet is
// left alone until it has been read (where a conflict is decided).
import fs from "node:fs";
import path from "node:path";
import { listEvents } from "@/lib/services";
import { protocolInstructions, protocolLatestOutputs, protocolMessages, protocolReviews, protocolTasks, type ProtocolMessage } from "@/lib/services/protocol";
import {
  currentText,
  instructionFiles,
  messageFile,
  messagePlace,
  messageSourceName,
  instructionFolder,
  otherTaskPaths,
  outputFile,
  reviewFile,
  taskFile,
  taskFileName,
  taskPath,
  type LinkIndex,
  type PlannedFile,
} from "./export";
import { removeFileInside, safeRelative, sha256, writeFileAtomic } from "./fs-safe";
import { noneDirty, type MirrorState } from "./mirror-state";
import { deriveTask, messageFileName } from "./model";

/** Which entities changed, from the events appended by anybody else. */
export function pullEvents(s: MirrorState) {
  for (;;) {
    const batch = listEvents(s.ctx, { afterId: s.lastEvent, limit: 500 });
    if (batch.length === 0) break;
    for (const e of batch) {
      s.lastEvent = e.id;
      if (s.own.delete(e.id)) continue;
      if (e.verb === "bridge.conflict" || e.verb === "message.marked") continue;
      if (e.taskId && e.entityKind !== "message") s.dirty.tasks.add(e.taskId);
      switch (e.entityKind) {
        case "instruction":
          s.dirty.instructions.add(e.entityId);
          break;
        case "message":
          s.dirty.messages.add(e.entityId);
          break;
        case "output":
          if (e.taskId) s.dirty.outputs.add(e.taskId);
          if (e.verb === "output.approved" || e.verb === "output.changes_requested") s.dirty.reviews.add(e.entityId);
          break;
        case "review":
          s.dirty.reviews.add(e.entityId);
          break;
      }
    }
    if (batch.length < 500) break;
  }
  // Every event the mirror appended comes back through the feed, which deletes it here. Not by id:
  // on PostgreSQL the feed reads in commit order, so an id below its position may still come. The
  // set only grows if something is badly wrong: keep it bounded.
  if (s.own.size > 10_000) for (const id of s.own) if (id <= s.lastEvent) s.own.delete(id);
}

/** A first run: everything in the database is written to the folder. */
export function markEverythingDirty(s: MirrorState) {
  for (const r of protocolInstructions(s.ctx)) s.dirty.instructions.add(r.id);
  for (const t of protocolTasks(s.ctx)) s.dirty.tasks.add(t.id);
  for (const o of protocolLatestOutputs(s.ctx)) s.dirty.outputs.add(o.taskId);
  for (const r of protocolReviews(s.ctx)) s.dirty.reviews.add(r.outputId);
  let afterSeq = 0;
  for (;;) {
    const page = protocolMessages(s.ctx, { afterSeq, limit: 1000 });
    if (page.length === 0) break;
    afterSeq = page[page.length - 1].seq;
    for (const m of page) s.dirty.messages.add(m.id);
  }
}

/**
 * A path holding changes the mirror has not read yet (pending, or on disk with other content than
 * last synced, such as a file an agent just moved there): writing now would overwrite the agent's
 * work, so the export waits and the file is read first, where a conflict is decided.
 */
function busy(s: MirrorState, rel: string): boolean {
  if (s.pending.has(rel)) return true;
  let st: fs.Stats;
  try {
    st = fs.statSync(path.join(s.root, rel));
  } catch {
    return false;
  }
  const hash = s.hashOf(rel);
  if (hash === null || hash === s.synced.get(rel)) return false;
  s.pending.set(rel, { size: st.size, mtimeMs: st.mtimeMs, changedAt: Date.now(), attempts: 0 });
  return true;
}

function write(s: MirrorState, f: PlannedFile): boolean {
  const segs = safeRelative(f.rel, "path");
  const text = currentText(s.root, f.rel);
  if (text === f.text) {
    s.synced.set(f.rel, sha256(f.text));
    return false;
  }
  writeFileAtomic(s.root, segs, f.text);
  s.synced.set(f.rel, sha256(f.text));
  try {
    const st = fs.statSync(path.join(s.root, ...segs));
    s.seen.set(f.rel, { size: st.size, mtimeMs: st.mtimeMs });
  } catch {
    // gone again already: the rescan will tell
  }
  s.stats.written++;
  return true;
}

const chunks = <T>(xs: T[]) => Array.from({ length: Math.ceil(xs.length / 500) }, (_, i) => xs.slice(i * 500, i * 500 + 500));

/** Writes every dirty entity; what cannot be written yet (a busy path) stays dirty for the next tick. */
export function exportDirty(s: MirrorState) {
  const d = s.dirty;
  const keep = noneDirty();
  const attempt = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (err) {
      s.report("error", `cannot write ${what}: ${(err as Error).message}`);
    }
  };

  for (const ids of chunks([...d.instructions])) {
    for (const r of protocolInstructions(s.ctx, { ids })) {
      attempt(`instruction ${r.id}`, () => {
        const iRel = `${instructionFolder(r.id)}/instruction.yaml`;
        const sRel = `${instructionFolder(r.id)}/status.yaml`;
        if (busy(s, iRel) || busy(s, sRel)) return void keep.instructions.add(r.id);
        const onDisk = { instruction: s.docAt(iRel) ?? undefined, status: s.docAt(sRel) ?? undefined };
        const fresh = !onDisk.instruction && !onDisk.status;
        const planned = instructionFiles(r, fresh ? undefined : onDisk, { documents: fresh });
        for (const f of planned) {
          const exists = currentText(s.root, f.rel) !== null;
          if (!exists || f.hard.length) write(s, f);
        }
      });
    }
  }

  const refsOf = new Map<string, Set<string>>();
  const knownRefs = (instructionId: string) => {
    let set = refsOf.get(instructionId);
    if (!set) {
      set = new Set(protocolTasks(s.ctx, { instructionId }).map((t) => t.ref));
      refsOf.set(instructionId, set);
    }
    return set;
  };
  const folderReady = (instructionId: string) => {
    if (fs.existsSync(path.join(s.root, ...instructionFolder(instructionId).split("/")))) return;
    const r = protocolInstructions(s.ctx, { ids: [instructionId] })[0];
    if (r) for (const f of instructionFiles(r)) write(s, f);
  };

  for (const ids of chunks([...d.tasks])) {
    for (const t of protocolTasks(s.ctx, { ids })) {
      attempt(`task ${t.instructionId}/${t.ref}`, () => {
        const key = `${t.instructionId}/${t.ref}`;
        const name = taskFileName(t);
        const candidates = [s.taskPaths.get(key), taskPath(t), ...otherTaskPaths(t)].filter((x): x is string => !!x);
        const tasksDir = `${instructionFolder(t.instructionId)}/tasks/`;
        if (candidates.some((c) => busy(s, c)) || [...s.pending.keys()].some((p) => p.startsWith(tasksDir) && p.endsWith(`/${name}`))) {
          return void keep.tasks.add(t.id);
        }
        const current = candidates.find((c) => currentText(s.root, c) !== null) ?? null;
        const base = current ? s.docAt(current) : null;
        const usable = base && deriveTask(base, name.replace(/\.ya?ml$/, "")).ok ? base : null;
        folderReady(t.instructionId);
        const planned = taskFile(t, knownRefs(t.instructionId), usable);
        if (current !== planned.rel || planned.hard.length || !current) write(s, planned);
        s.taskPaths.set(key, planned.rel);
        for (const other of otherTaskPaths(t)) {
          if (removeFileInside(s.root, other.split("/"))) {
            s.synced.delete(other);
            s.seen.delete(other);
            s.stats.removed++;
          }
        }
      });
    }
  }

  for (const ids of chunks([...d.outputs])) {
    for (const o of protocolLatestOutputs(s.ctx, { taskIds: ids })) {
      attempt(`result of ${o.instructionId}/${o.taskRef}`, () => {
        const planned = outputFile(o);
        if (busy(s, planned.rel)) return void keep.outputs.add(o.taskId);
        folderReady(o.instructionId);
        write(s, planned);
      });
    }
  }

  for (const ids of chunks([...d.reviews])) {
    for (const r of protocolReviews(s.ctx, { outputIds: ids })) attempt(`review ${r.id}`, () => void write(s, reviewFile(r)));
  }

  if (d.messages.size) {
    const instructionIds = new Set(protocolInstructions(s.ctx).map((r) => r.id));
    const links: LinkIndex = { knownInstruction: (id) => instructionIds.has(id), knownTask: (i, ref) => instructionIds.has(i) && knownRefs(i).has(ref) };
    for (const ids of chunks([...d.messages])) {
      for (const m of protocolMessages(s.ctx, { ids })) attempt(`message ${m.id}`, () => exportMessage(s, m, links, keep.messages));
    }
  }
  s.dirty = keep;
}

function exportMessage(s: MirrorState, m: ProtocolMessage, links: LinkIndex, keep: Set<string>) {
  const folder = messagePlace(m).dir;
  const imported = messageSourceName(m);
  let rel: string;
  if (imported && m.sourcePath === `${folder}/${imported}`) rel = m.sourcePath;
  else {
    const known = s.messagePaths.get(m.id);
    if (known) rel = known;
    else {
      // A name of the protocol's form, made unique when another message holds it already.
      rel = `${folder}/${imported ?? messageFileName(m)}`;
      const holder = s.docAt(rel);
      if (holder && holder.message_id !== m.id) rel = `${folder}/${messageFileName(m, true)}`;
    }
  }
  if (busy(s, rel)) return void keep.add(m.id);
  const base = s.docAt(rel);
  const planned = messageFile(m, links, rel.split("/").pop()!, base);
  if (!base || planned.hard.length) write(s, planned);
  s.messagePaths.set(m.id, rel);
}
