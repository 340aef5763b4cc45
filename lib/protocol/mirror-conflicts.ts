import "server-only";
// When a file and the database both changed the same entity since the last sync: the rule that
// decides, the fields it compares, and the record it leaves (the losing file kept beside it, a
// bridge.conflict event, a warning).
import { recordBridgeConflict, taskFolderOf, type ImportTaskInput, type ProtocolInstruction, type ProtocolTask } from "@/lib/services/protocol";
import { writeFileAtomic } from "./fs-safe";
import type { InstructionFields } from "./model-instruction";
import type { MirrorState } from "./mirror-state";

export const CONFLICT_RULE =
  "The database wins for state changed through AgentDesk (task status and assignee; instruction title, body, tier, priority, phase); " +
  "the file wins for everything else an agent wrote. The losing file is kept beside it as <name>.conflict-<time>.yaml.";

/** The instruction fields the database keeps when both sides changed. */
export const INSTRUCTION_STATE_FIELDS = ["title", "body", "tier", "priority", "phase"] as const;

export type ConflictFields = Record<string, { database: unknown; file: unknown }>;

type TaskState = Pick<ImportTaskInput, "status" | "assignedAgent" | "blockedReason" | "blockerType">;

/**
 * A task changed on both sides: the database keeps the state (status, assignee, blocker), the file
 * the content. Writes the database's state into `input`; returns the fields that disagreed.
 */
export function keepDatabaseTaskState(existing: ProtocolTask, input: TaskState): ConflictFields {
  const fields: ConflictFields = {};
  if (taskFolderOf(existing.status) !== taskFolderOf(input.status)) fields.status = { database: existing.status, file: input.status };
  if (existing.assignedAgent !== input.assignedAgent) fields.assignedAgent = { database: existing.assignedAgent, file: input.assignedAgent };
  input.status = existing.status;
  input.assignedAgent = existing.assignedAgent;
  input.blockedReason = existing.blockedReason;
  input.blockerType = existing.blockerType;
  return fields;
}

/** An instruction changed on both sides: the state fields the file says otherwise than the database. */
export function instructionStateConflicts(database: ProtocolInstruction, file: InstructionFields): ConflictFields {
  const fields: ConflictFields = {};
  for (const k of INSTRUCTION_STATE_FIELDS) if (file[k] !== database[k]) fields[k] = { database: database[k], file: file[k] };
  return fields;
}

const stamp = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");

/** Keeps the losing file as `<name>.conflict-<time>.yaml` and records the conflict (the database won). */
export function recordConflict(s: MirrorState, kind: "task" | "instruction", entityId: string, task: ProtocolTask | null, rel: string, loserText: string | null, fields: ConflictFields) {
  let keptAs: string | null = null;
  if (loserText !== null) {
    const segs = rel.split("/");
    const name = segs.pop()!;
    const kept = `${name.replace(/\.ya?ml$/i, "")}${".conflict-"}${stamp(Date.now())}.yaml`;
    try {
      writeFileAtomic(s.root, [...segs, kept], loserText);
      keptAs = [...segs, kept].join("/");
    } catch (err) {
      s.report("error", `cannot keep the losing copy: ${(err as Error).message}`, rel);
    }
  }
  const r = recordBridgeConflict(s.ctx, {
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
  s.remember(r.eventIds);
  s.stats.conflicts++;
  s.report("warn", `conflict: ${Object.keys(fields).join(", ")} changed in both; the database won${keptAs ? `, the file was kept as ${keptAs}` : ""}`, rel);
}
