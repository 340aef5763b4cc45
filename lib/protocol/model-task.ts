import "server-only";
// Task files (`tasks/{state}/{T1}.yaml`): read into AgentDesk's canonical task, and written back.
import { taskStatuses, type Priority, type TaskStatus } from "@/lib/domain/vocabulary";
import { UNASSIGNED_AGENT } from "@/lib/services/protocol";
import { agentNameOf, BRIDGE_NAME, firstLine, isDoc, iso, pathList, priorityOf, refOf, sameList, str, stringList, text, timeOf, wordOf, type Applied, type Derived, type Doc } from "./model-common";

export interface TaskFields {
  ref: string;
  title: string;
  description: string;
  type: string;
  assignedAgent: string;
  priority: Priority;
  authority: "autonomous" | "review_required";
  deadline: number | null;
  acceptanceCriteria: string[];
  filesToModify: string[];
  filesToCreate: string[];
  dependsOn: string[];
  blockedReason: string | null;
  blockerType: string | null;
  createdAt: number | null;
  completedAt: number | null;
  createdBy: string | null;
  /** What a `status:` field says (the hierarchical layouts keep the state there); null when it says nothing usable. */
  status: TaskStatus | null;
  /** The parent task's ref: a field (`parent`, `parent_task`, `strategic_task`...), else ST{n} for a tactical TT{n}.{m}. */
  parentRef: string | null;
}

/**
 * Where a task file keeps its lists: `specification{...}` (v4), `implementation_guidance{...}` (the
 * hierarchical layouts), or the top level. The acceptance criteria of a strategic or tactical task
 * are `strategic_acceptance_criteria` / `tactical_acceptance_criteria`.
 */
const SECTIONS = ["specification", "implementation_guidance"] as const;
const LIST_KEYS: Record<"acceptance_criteria" | "files_to_modify" | "files_to_create", string[]> = {
  acceptance_criteria: ["acceptance_criteria", "strategic_acceptance_criteria", "tactical_acceptance_criteria"],
  files_to_modify: ["files_to_modify"],
  files_to_create: ["files_to_create"],
};

/** Where a list lives in this document: [section or null, key]; null when the document has none. */
function listPlace(doc: Doc, key: keyof typeof LIST_KEYS): [string | null, string] | null {
  for (const k of LIST_KEYS[key]) {
    for (const sec of SECTIONS) if (isDoc(doc[sec]) && Array.isArray((doc[sec] as Doc)[k])) return [sec, k];
    if (Array.isArray(doc[k])) return [null, k];
  }
  return null;
}
const specList = (doc: Doc, key: keyof typeof LIST_KEYS): unknown => {
  const at = listPlace(doc, key);
  return at ? (at[0] ? (doc[at[0]] as Doc)[at[1]] : doc[at[1]]) : undefined;
};

/** `dependencies` as a list of refs, or `{requires: [...], blocks: [...]}` (what this task needs is `requires`). */
const dependencyList = (doc: Doc): unknown[] =>
  Array.isArray(doc.dependencies) ? doc.dependencies : isDoc(doc.dependencies) && Array.isArray(doc.dependencies.requires) ? doc.dependencies.requires : [];

// Maps, not object literals: the words come from the files.
const statusWords = new Map<string, TaskStatus>([
  ...taskStatuses.map((x) => [x, x] as [string, TaskStatus]),
  ["todo", "pending"],
  ["not_started", "pending"],
  ["open", "pending"],
  ["ready", "pending"],
  ["active", "in_progress"],
  ["started", "in_progress"],
  ["in_review", "in_review"],
  ["review", "in_review"],
  ["done", "completed"],
  ["complete", "completed"],
  ["finished", "completed"],
  ["canceled", "cancelled"],
]);
export const taskStatusOf = (v: unknown): TaskStatus | null => statusWords.get(wordOf(v) ?? "") ?? null;

const PARENT_KEYS = ["parent", "parent_task", "parent_task_id", "parent_id", "strategic_task", "strategic_task_id"] as const;
/** TT2.1 belongs to ST2. */
export function strategicParentOf(ref: string): string | null {
  const m = /^TT(\d+)\.\d+$/i.exec(ref);
  return m ? `ST${m[1]}` : null;
}

/** A task file (`tasks/{state}/{T1}.yaml`): `id` (or `task_id`, or the file name) is the ref. */
export function deriveTask(doc: Doc, fileStem: string): Derived<TaskFields> {
  const warnings: string[] = [];
  const rawRef = doc.id ?? doc.task_id;
  const ref = rawRef === undefined || rawRef === null ? refOf(fileStem) : refOf(rawRef);
  if (!ref) return { ok: false, reason: `task id ${JSON.stringify(String(rawRef ?? fileStem).slice(0, 80))} is not usable (letters, digits, '_', '.', '-')` };
  const agent = agentNameOf(doc.assigned_agent ?? doc.assigned_to ?? doc.owner, "assigned_agent");
  if (!agent.ok) return { ok: false, reason: agent.reason };
  const description = str(doc.description) ?? (typeof doc.scope === "string" ? doc.scope : "");
  const dependsOn: string[] = [];
  for (const d of dependencyList(doc)) {
    const r = refOf(d);
    if (r) dependsOn.push(r);
    else warnings.push(`dependency ${JSON.stringify(d)} is not a task id: ignored`);
  }
  const authority = str(doc.authority_level ?? doc.authority);
  // A parent field wins (`parent: null` says "none"); else TT{n}.{m} belongs to ST{n}.
  const parentKey = PARENT_KEYS.find((k) => k in doc && doc[k] !== undefined);
  const parentRef = parentKey ? (doc[parentKey] === null ? null : refOf(doc[parentKey])) : strategicParentOf(ref);
  if (parentKey && doc[parentKey] !== null && !parentRef) warnings.push(`${parentKey} ${JSON.stringify(doc[parentKey])} is not a task id: ignored`);
  return {
    ok: true,
    warnings,
    fields: {
      ref,
      title: (text(doc.title) ?? text(doc.name))?.trim().slice(0, 200) || firstLine(description, 200) || ref,
      description,
      type: wordOf(doc.type) ?? "create",
      assignedAgent: agent.name ?? UNASSIGNED_AGENT,
      priority: priorityOf(doc.priority) ?? "normal",
      authority: authority === "autonomous" || authority === "review_required" ? authority : "review_required",
      deadline: timeOf(doc.deadline),
      acceptanceCriteria: stringList(specList(doc, "acceptance_criteria")),
      filesToModify: pathList(specList(doc, "files_to_modify")),
      filesToCreate: pathList(specList(doc, "files_to_create")),
      dependsOn: [...new Set(dependsOn)],
      blockedReason: text(doc.blocked_reason)?.slice(0, 20_000) ?? null,
      blockerType: wordOf(doc.blocker_type),
      createdAt: timeOf(doc.created_at),
      completedAt: timeOf(doc.completed_at),
      createdBy: text(doc.created_by)?.slice(0, 200) ?? null,
      status: taskStatusOf(doc.status),
      parentRef: parentRef === ref ? null : parentRef,
    },
  };
}

/** What a task row looks like to the writer (ms timestamps, refs for dependencies). */
export interface TaskRecord extends Omit<TaskFields, "createdAt" | "createdBy" | "status"> {
  status: TaskStatus;
  createdAt: number;
  createdBy: string;
}

/**
 * Writes a task's modelled fields into its document where the document says otherwise, leaving every
 * other key (and the key order) as it was. Refs not known as tasks are kept in `dependencies`.
 */
export function applyTask(base: Doc, t: TaskRecord, ctx: { fileStem: string; knownRefs: ReadonlySet<string>; statusField?: boolean }): Applied {
  const doc: Doc = { ...base };
  const hard: string[] = [];
  const soft: string[] = [];
  const d = deriveTask(base, ctx.fileStem);
  const cur: TaskFields | null = d.ok ? d.fields : null;
  const set = (field: string, key: string, value: unknown, isSoft = false) => {
    doc[key] = value;
    (isSoft ? soft : hard).push(field);
  };
  const setSpec = (field: string, key: keyof typeof LIST_KEYS, value: unknown) => {
    const at = listPlace(base, key);
    if (at) {
      if (at[0]) doc[at[0]] = { ...(doc[at[0]] as Doc), [at[1]]: value };
      else doc[at[1]] = value;
    } else {
      const sec = SECTIONS.find((x) => isDoc(base[x])) ?? "specification";
      doc[sec] = { ...(isDoc(doc[sec]) ? (doc[sec] as Doc) : {}), [key]: value };
    }
    hard.push(field);
  };
  if (cur?.ref !== t.ref) set("ref", "task_id" in base && !("id" in base) ? "task_id" : "id", t.ref);
  if (cur?.title !== t.title) set("title", "title", t.title);
  if (cur?.description !== t.description) set("description", "description", t.description);
  if (cur?.type !== t.type) set("type", "type", t.type);
  if (cur?.assignedAgent !== t.assignedAgent) {
    const key = ["assigned_agent", "assigned_to", "owner"].find((k) => k in base && base[k] !== undefined && base[k] !== null) ?? "assigned_agent";
    set("assignedAgent", key, t.assignedAgent === UNASSIGNED_AGENT ? null : t.assignedAgent);
  }
  // The hierarchical layouts keep the state in the file (`status:`), not in a folder.
  if (ctx.statusField) {
    // `in_review` is written as completed (the agent is done), as it waits in tasks/completed/.
    const said = cur?.status ?? null;
    if (said !== t.status && !(t.status === "in_review" && said === "completed")) set("status", "status", t.status === "in_review" ? "completed" : t.status);
  }
  if ((cur?.priority ?? "normal") !== t.priority) set("priority", "priority", t.priority);
  if ((cur?.authority ?? "review_required") !== t.authority) set("authority", "authority_level", t.authority);
  if ((cur?.deadline ?? null) !== t.deadline) set("deadline", "deadline", t.deadline === null ? null : iso(t.deadline));
  if (!sameList(cur?.acceptanceCriteria ?? [], t.acceptanceCriteria)) setSpec("acceptanceCriteria", "acceptance_criteria", t.acceptanceCriteria);
  if (!sameList(cur?.filesToModify ?? [], t.filesToModify)) setSpec("filesToModify", "files_to_modify", t.filesToModify);
  if (!sameList(cur?.filesToCreate ?? [], t.filesToCreate)) setSpec("filesToCreate", "files_to_create", t.filesToCreate);
  const written = cur?.dependsOn ?? [];
  const linked = written.filter((r) => ctx.knownRefs.has(r) && r !== t.ref);
  if (!sameList([...linked].sort(), [...t.dependsOn].sort())) {
    const list = [...t.dependsOn, ...written.filter((r) => !ctx.knownRefs.has(r))];
    if (isDoc(base.dependencies)) set("dependsOn", "dependencies", { ...base.dependencies, requires: list });
    else set("dependsOn", "dependencies", list);
  }
  const parentWritten = cur?.parentRef ?? null;
  const parentLinked = parentWritten && ctx.knownRefs.has(parentWritten) ? parentWritten : null;
  if (parentLinked !== t.parentRef && (t.parentRef !== null || parentWritten !== null)) {
    const key = PARENT_KEYS.find((k) => k in base) ?? "parent";
    // ST{n} of a TT{n}.{m} goes without saying; any other parent is written down.
    if (t.parentRef !== null && t.parentRef === strategicParentOf(t.ref) && !(key in base)) {
      /* implied by the ref */
    } else if (t.parentRef !== null || ctx.knownRefs.has(parentWritten ?? "")) set("parentRef", key, t.parentRef);
  }
  if (t.status === "blocked") {
    if ((cur?.blockedReason ?? null) !== t.blockedReason) set("blockedReason", "blocked_reason", t.blockedReason);
    if ((cur?.blockerType ?? null) !== t.blockerType) set("blockerType", "blocker_type", t.blockerType);
  }
  if (cur?.createdAt !== t.createdAt) set("createdAt", "created_at", iso(t.createdAt), cur?.createdAt == null);
  if (t.status === "completed" && t.completedAt !== null && cur?.completedAt !== t.completedAt) {
    set("completedAt", "completed_at", iso(t.completedAt), cur?.completedAt == null);
  }
  if ((cur?.createdBy ?? BRIDGE_NAME) !== t.createdBy) set("createdBy", "created_by", t.createdBy, true);
  return { doc, hard, soft };
}

/** The document of a task born in AgentDesk, laid out like the protocol's task files. */
export function freshTaskDoc(t: TaskRecord): Doc {
  return {
    id: t.ref,
    title: t.title,
    description: t.description,
    type: t.type,
    priority: t.priority,
    dependencies: t.dependsOn,
    ...(t.parentRef !== null && t.parentRef !== strategicParentOf(t.ref) ? { parent: t.parentRef } : {}),
    assigned_agent: t.assignedAgent === UNASSIGNED_AGENT ? null : t.assignedAgent,
    authority_level: t.authority,
    ...(t.deadline !== null ? { deadline: iso(t.deadline) } : {}),
    specification: { acceptance_criteria: t.acceptanceCriteria, files_to_modify: t.filesToModify, files_to_create: t.filesToCreate },
    created_by: t.createdBy,
    created_at: iso(t.createdAt),
  };
}
