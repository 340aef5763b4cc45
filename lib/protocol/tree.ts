import "server-only";
import fs from "node:fs";
import path from "node:path";
import { isInside, toPosix } from "./fs-safe";
import { isInstructionId, TASK_FOLDERS, type TaskFolder } from "./model";

/** Where a file sits in the Agent_Memory layout decides what it is. */
export type FileKind =
  | { kind: "instruction-file"; instructionId: string; name: "instruction.yaml" | "status.yaml" }
  | { kind: "document"; instructionId: string; docPath: string }
  | { kind: "task"; instructionId: string; folder: TaskFolder; fileName: string }
  | { kind: "output"; instructionId: string; fileName: string }
  | { kind: "message"; inboxFolder: string | null; fileName: string }
  | { kind: "ignored"; reason: string; quiet?: boolean }
  | { kind: "unknown"; reason: string };

const YAML_FILE = /\.ya?ml$/i;
export const CONFLICT_MARK = ".conflict-";

/** Classifies a path relative to the root (posix separators). */
export function classify(rel: string): FileKind {
  const s = rel.split("/");
  const name = s[s.length - 1];
  if (s.some((seg) => seg.startsWith("."))) return { kind: "ignored", reason: "hidden file", quiet: true };
  if (name.includes(CONFLICT_MARK)) return { kind: "ignored", reason: "a conflict copy kept by the bridge" };
  if (!YAML_FILE.test(name)) return { kind: "ignored", reason: "not a YAML file" };
  if (s[0] === "_communication") {
    if (s[1] === "inbox" && s.length === 4) return { kind: "message", inboxFolder: s[2], fileName: name };
    if (s[1] === "broadcast" && s.length === 3) return { kind: "message", inboxFolder: null, fileName: name };
    return { kind: "unknown", reason: "not in an inbox (_communication/inbox/{agent}/) or _communication/broadcast/" };
  }
  if (s[0] === "_knowledge") return { kind: "ignored", reason: "shared knowledge is left to the agents" };
  if (s.length === 1) return { kind: "unknown", reason: "a file at the top of Agent_Memory is not part of the layout" };
  if (!isInstructionId(s[0])) return { kind: "unknown", reason: `folder ${JSON.stringify(s[0])} is not an instruction (inst_YYYYMMDD_NNN) nor _communication` };
  const instructionId = s[0];
  if (s.length === 2 && (name === "instruction.yaml" || name === "status.yaml")) return { kind: "instruction-file", instructionId, name };
  if (s[1] === "tasks") {
    if (s.length === 4 && (TASK_FOLDERS as readonly string[]).includes(s[2])) return { kind: "task", instructionId, folder: s[2] as TaskFolder, fileName: name };
    return { kind: "unknown", reason: "a task file belongs in tasks/pending, tasks/in_progress, tasks/completed or tasks/blocked" };
  }
  if (s[1] === "outputs" && s[2] === "partial") {
    if (s.length === 4) return { kind: "output", instructionId, fileName: name };
    return { kind: "unknown", reason: "a result belongs directly in outputs/partial/" };
  }
  return { kind: "document", instructionId, docPath: s.slice(1).join("/") };
}

export interface ScannedFile {
  rel: string;
  kind: FileKind;
  size: number;
  mtimeMs: number;
}

export interface ScanProblem {
  path: string;
  reason: string;
}

export const MAX_FILES = 50_000;
const MAX_DEPTH = 12;

/**
 * Lists the tree without following symlinked folders: one pointing outside the root is reported as an
 * error, one inside is skipped (it would be read twice). Symlinked files are listed; reading them
 * checks where they point.
 */
export function scanTree(root: string, under?: string): { files: ScannedFile[]; errors: ScanProblem[]; ignored: ScanProblem[] } {
  const files: ScannedFile[] = [];
  const errors: ScanProblem[] = [];
  const ignored: ScanProblem[] = [];
  const walk = (dir: string, depth: number) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      errors.push({ path: toPosix(path.relative(root, dir)) || ".", reason: `cannot read folder: ${(err as Error).message}` });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const abs = path.join(dir, e.name);
      const rel = toPosix(path.relative(root, abs));
      if (e.name.startsWith(".")) continue;
      let st: fs.Stats;
      try {
        st = fs.lstatSync(abs);
      } catch {
        continue;
      }
      if (st.isSymbolicLink()) {
        let real: string | null = null;
        let target: fs.Stats | null = null;
        try {
          real = fs.realpathSync(abs);
          target = fs.statSync(real);
        } catch {
          errors.push({ path: rel, reason: "symlink to nothing" });
          continue;
        }
        if (!isInside(root, real)) {
          errors.push({ path: rel, reason: "symlink points outside the root: refused" });
          continue;
        }
        if (target.isDirectory()) {
          ignored.push({ path: rel, reason: "symlinked folder not followed" });
          continue;
        }
        st = target;
      }
      if (st.isDirectory()) {
        if (depth >= MAX_DEPTH) errors.push({ path: rel, reason: `nested deeper than ${MAX_DEPTH} folders: not read` });
        else walk(abs, depth + 1);
        continue;
      }
      if (!st.isFile()) continue;
      if (files.length >= MAX_FILES) {
        errors.push({ path: rel, reason: `more than ${MAX_FILES} files: the rest is not read` });
        return;
      }
      const kind = classify(rel);
      if (kind.kind === "ignored") {
        if (!kind.quiet) ignored.push({ path: rel, reason: kind.reason });
        continue;
      }
      files.push({ rel, kind, size: st.size, mtimeMs: st.mtimeMs });
    }
  };
  if (under) {
    const start = path.resolve(root, ...under.split("/"));
    if (!isInside(root, start) || start === root) return { files, errors, ignored };
    let st: fs.Stats;
    try {
      st = fs.lstatSync(start);
    } catch {
      return { files, errors, ignored };
    }
    if (st.isDirectory()) walk(start, under.split("/").length);
  } else walk(root, 0);
  return { files, errors, ignored };
}
