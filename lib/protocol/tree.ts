import "server-only";
import fs from "node:fs";
import path from "node:path";
import { isInside, toPosix } from "./fs-safe";
import { BROADCAST, CHANNEL_PREFIX, inboxOf, isInstructionId, TASK_FOLDERS, type MessageDefaults, type TaskFolder } from "./model";

/**
 * Where a file sits in the Agent_Memory layout decides what it is. `base` is the folder the item's
 * instruction lives in: the instruction id (`inst_20260103_005`), or a session folder
 * (`sessions/feature_20260103_120000`) whose one instruction has the id `inst_` + the session's name.
 */
export type FileKind =
  | { kind: "instruction-file"; instructionId: string; base: string; name: "instruction.yaml" | "status.yaml" }
  | { kind: "document"; instructionId: string; base: string; docPath: string }
  | {
      kind: "task";
      instructionId: string;
      base: string;
      /** The state folder the file is in; null when the layout keeps the state in a `status:` field (tasks/strategic/, tasks/tactical/{domain}/). */
      folder: TaskFolder | null;
      /** The folder holding the state folders (tasks/) or the task files themselves (tasks/strategic, tasks/tactical/{domain}). */
      dir: string;
      level: TaskLevel | null;
      fileName: string;
    }
  | { kind: "output"; instructionId: string; base: string; fileName: string }
  | { kind: "message"; inboxFolder: string | null; fileName: string; place: MessagePlace }
  | { kind: "ignored"; reason: string; quiet?: boolean }
  | { kind: "unknown"; reason: string };

export type TaskLevel = "strategic" | "tactical";

/**
 * Where a message file lies: an agent's inbox, the broadcast folder (or one of its channels), a report
 * (`reports/{daily,weekly}/{from}_to_{to}_{date}.yaml`) or a hand-off (`handoffs/{from}_to_{to}_{ts}.yaml`).
 * `dir` is the file's folder, where an export writes it back.
 */
export type MessagePlace =
  | { kind: "inbox"; dir: string }
  | { kind: "broadcast"; dir: string; channel: string | null }
  | { kind: "report"; dir: string; period: ReportPeriod; from: string; to: string }
  | { kind: "handoff"; dir: string; from: string; to: string };

export const REPORT_PERIODS = ["daily", "weekly"] as const;
export type ReportPeriod = (typeof REPORT_PERIODS)[number];

const YAML_FILE = /\.ya?ml$/i;
const NOTE_FILE = /\.md$/i;
export const CONFLICT_MARK = ".conflict-";
/** `backend_developer_to_tech_lead_20260103.yaml`, `..._2026-01-03T10-00-00Z.yaml`: sender, recipient, date or time. */
const FROM_TO_FILE = /^([A-Za-z0-9][A-Za-z0-9_-]*?)_to_([A-Za-z0-9][A-Za-z0-9_-]*?)_(\d{4}-?\d{2}-?\d{2}(?:[T_-]?\d{2}[:-]?\d{2}(?:[:-]?\d{2})?Z?)?)\.ya?ml$/;
export const CHANNEL_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** A session folder: `{kind}_{YYYYMMDD}_{HHMMSS}` (`feature_20260103_120000`). */
export const SESSION_PATTERN = /^[a-z][a-z0-9-]{0,40}_\d{8}_\d{6}$/;
export const SESSIONS_FOLDER = "sessions";

/** The instruction of a session folder: `inst_` + the session's name. */
export const sessionInstructionId = (session: string) => `inst_${session}`;

function fromTo(name: string): { from: string; to: string } | null {
  const m = FROM_TO_FILE.exec(name);
  return m ? { from: m[1], to: m[2] } : null;
}

function classifyCommunication(s: string[], name: string, prefix: string): FileKind {
  const dir = [prefix, ...s.slice(0, -1)].filter(Boolean).join("/");
  if (s[1] === "inbox" && s.length === 4) return { kind: "message", inboxFolder: s[2], fileName: name, place: { kind: "inbox", dir } };
  if (s[1] === "broadcast" && s.length === 3) return { kind: "message", inboxFolder: null, fileName: name, place: { kind: "broadcast", dir, channel: null } };
  if (s[1] === "broadcast" && s.length === 4) {
    if (!CHANNEL_PATTERN.test(s[2])) return { kind: "unknown", reason: `broadcast channel ${JSON.stringify(s[2])} is not a usable name (lower case letters, digits, '-', '_')` };
    return { kind: "message", inboxFolder: null, fileName: name, place: { kind: "broadcast", dir, channel: s[2] } };
  }
  if (s[1] === "reports") {
    const period = REPORT_PERIODS.find((p) => p === s[2]);
    if (!period || s.length !== 4) return { kind: "unknown", reason: "a report belongs in _communication/reports/daily/ or _communication/reports/weekly/" };
    const ft = fromTo(name);
    if (!ft) return { kind: "unknown", reason: "a report file is named {from}_to_{to}_{date}.yaml" };
    return { kind: "message", inboxFolder: ft.to, fileName: name, place: { kind: "report", dir, period, ...ft } };
  }
  if (s[1] === "handoffs") {
    const ft = s.length === 3 ? fromTo(name) : null;
    if (!ft) return { kind: "unknown", reason: "a hand-off is _communication/handoffs/{from}_to_{to}_{timestamp}.yaml" };
    return { kind: "message", inboxFolder: ft.to, fileName: name, place: { kind: "handoff", dir, ...ft } };
  }
  return { kind: "unknown", reason: "not in an inbox (_communication/inbox/{agent}/), _communication/broadcast/[{channel}/], reports/ or handoffs/" };
}

/** A file inside an instruction's folder (`rest` is the path below it). */
function classifyInstructionFile(rest: string[], name: string, instructionId: string, base: string, notes: boolean): FileKind {
  const isYaml = YAML_FILE.test(name);
  if (!isYaml) {
    // A session's markdown notes (task_plan.md, findings.md, progress.md) are kept as documents.
    if (notes && rest.length === 1 && NOTE_FILE.test(name)) return { kind: "document", instructionId, base, docPath: name };
    return { kind: "ignored", reason: "not a YAML file" };
  }
  if (rest.length === 1 && (name === "instruction.yaml" || name === "status.yaml")) return { kind: "instruction-file", instructionId, base, name };
  if (rest[0] === "tasks") {
    const isFolder = (x: string | undefined) => (TASK_FOLDERS as readonly string[]).includes(x ?? "");
    const task = (dir: string[], folder: string | null, level: TaskLevel | null): FileKind => ({
      kind: "task",
      instructionId,
      base,
      folder: folder as TaskFolder | null,
      dir: [base, ...dir].join("/"),
      level,
      fileName: name,
    });
    if (rest.length === 3 && isFolder(rest[1])) return task(["tasks"], rest[1], null);
    if (rest[1] === "strategic") {
      if (rest.length === 3) return task(["tasks", "strategic"], null, "strategic");
      if (rest.length === 4 && isFolder(rest[2])) return task(["tasks", "strategic"], rest[2], "strategic");
    }
    if (rest[1] === "tactical" && rest.length >= 4 && !isFolder(rest[2])) {
      if (rest.length === 4) return task(["tasks", "tactical", rest[2]], null, "tactical");
      if (rest.length === 5 && isFolder(rest[3])) return task(["tasks", "tactical", rest[2]], rest[3], "tactical");
    }
    return {
      kind: "unknown",
      reason: "a task file belongs in tasks/{pending,in_progress,completed,blocked}/, tasks/strategic/ or tasks/tactical/{domain}/",
    };
  }
  if (rest[0] === "outputs" && rest[1] === "partial") {
    if (rest.length === 3) return { kind: "output", instructionId, base, fileName: name };
    // outputs/partial/{task_id}/manifest.yaml (a completion manifest) and the files beside it: documents.
    if (rest.length === 4) return { kind: "document", instructionId, base, docPath: rest.join("/") };
    return { kind: "unknown", reason: "a result belongs in outputs/partial/ or outputs/partial/{task_id}/" };
  }
  return { kind: "document", instructionId, base, docPath: rest.join("/") };
}

/** Classifies a path relative to the root (posix separators). */
export function classify(rel: string): FileKind {
  const s = rel.split("/");
  const name = s[s.length - 1];
  if (s.some((seg) => seg.startsWith("."))) return { kind: "ignored", reason: "hidden file", quiet: true };
  if (name.includes(CONFLICT_MARK)) return { kind: "ignored", reason: "a conflict copy kept by the bridge" };
  if (s[0] === SESSIONS_FOLDER && s.length >= 3) {
    if (!SESSION_PATTERN.test(s[1])) {
      if (!YAML_FILE.test(name)) return { kind: "ignored", reason: "not a YAML file" };
      return { kind: "unknown", reason: `session folder ${JSON.stringify(s[1])} is not named {kind}_{YYYYMMDD}_{HHMMSS}` };
    }
    const base = `${SESSIONS_FOLDER}/${s[1]}`;
    const rest = s.slice(2);
    if (rest[0] === "_communication") return YAML_FILE.test(name) ? classifyCommunication(rest, name, base) : { kind: "ignored", reason: "not a YAML file" };
    if (rest[0] === "_knowledge") return { kind: "ignored", reason: "shared knowledge is left to the agents" };
    return classifyInstructionFile(rest, name, sessionInstructionId(s[1]), base, true);
  }
  if (!YAML_FILE.test(name)) return { kind: "ignored", reason: "not a YAML file" };
  if (s[0] === "_communication") return classifyCommunication(s, name, "");
  if (s[0] === "_knowledge") return { kind: "ignored", reason: "shared knowledge is left to the agents" };
  if (s.length === 1) return { kind: "unknown", reason: "a file at the top of Agent_Memory is not part of the layout" };
  if (!isInstructionId(s[0]))
    return { kind: "unknown", reason: `folder ${JSON.stringify(s[0])} is not an instruction (inst_YYYYMMDD_NNN), a session (sessions/{kind}_{YYYYMMDD}_{HHMMSS}/) nor _communication` };
  return classifyInstructionFile(s.slice(1), name, s[0], s[0], false);
}

/** What a message file's place implies: its inbox, and the defaults for what the file does not say. */
export function messagePlaceOf(place: MessagePlace, inboxFolder: string | null): { ok: true; toInbox: string; defaults: MessageDefaults } | { ok: false; reason: string } {
  if (place.kind === "broadcast") return { ok: true, toInbox: place.channel ? `${CHANNEL_PREFIX}${place.channel}` : BROADCAST, defaults: { channel: place.channel !== null } };
  const inbox = inboxOf(inboxFolder, place.kind === "inbox" ? "inbox folder" : "the recipient in the file name");
  if (!inbox.ok || !inbox.name) return { ok: false, reason: inbox.ok ? "inbox folder has no name" : inbox.reason };
  if (place.kind === "report") return { ok: true, toInbox: inbox.name, defaults: { report: place.period, from: place.from } };
  if (place.kind === "handoff") return { ok: true, toInbox: inbox.name, defaults: { handoff: true, from: place.from } };
  return { ok: true, toInbox: inbox.name, defaults: {} };
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
