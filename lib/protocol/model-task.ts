import "server-only";
// Task files (`tasks/{state}/{T1}.yaml`): read into AgentDesk's canonical task, and written back.
import type { Priority, TaskStatus } from "@/lib/domain/vocabulary";
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
}

const specOf = (doc: Doc): Doc => (isDoc(doc.specification) ? doc.specification : {});
const specList = (doc: Doc, key: string): unknown => (Array.isArray(specOf(doc)[key]) ? specOf(doc)[key] : doc[key]);

/** A task file (`tasks/{state}/{T1}.yaml`): `id` (or `task_id`, or the file name) is the ref. */
export function deriveTask(doc: Doc, fileStem: string): Derived<TaskFields> {
  const warnings: string[] = [];
  const rawRef = doc.id ?? doc.task_id;
  const ref = rawRef === undefined || rawRef === null ? refOf(fileStem) : refOf(rawRef);
  if (!ref) return { ok: false, reason: `task id ${JSON.stringify(String(rawRef ?? fileStem).slice(0, 80))} is not usable (letters, digits, '_', '.', '-')` };
  const agent = agentNameOf(doc.assigned_agent ?? doc.assigned_to, "assigned_agent");
  if (!agent.ok) return { ok: false, reason: agent.reason };
  const description = str(doc.description) ?? "";
  const dependsOn: string[] = [];
  for (const d of Array.isArray(doc.dependencies) ? doc.dependencies : []) {
    const r = refOf(d);
    if (r) dependsOn.push(r);
    else warnings.push(`dependency ${JSON.stringify(d)} is not a task id: ignored`);
  }
  const authority = str(doc.authority_level ?? doc.authority);
  return {
    ok: true,
    warnings,
    fields: {
      ref,
      title: text(doc.title)?.trim().slice(0, 200) || firstLine(description, 200) || ref,
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
    },
  };
}

/** What a task row looks like to the writer (ms timestamps, refs for dependencies). */
export interface TaskRecord extends Omit<TaskFields, "createdAt" | "createdBy"> {
  status: TaskStatus;
  createdAt: number;
  createdBy: string;
}

/**
 * Writes a task's modelled fields into its document where the document says otherwise, leaving every
 * other key (and the key order) as it was. Refs not known as tasks are kept in `dependencies`.
 */
export function applyTask(base: Doc, t: TaskRecord, ctx: { fileStem: string; knownRefs: ReadonlySet<string> }): Applied {
  const doc: Doc = { ...base };
  const hard: string[] = [];
  const soft: string[] = [];
  const d = deriveTask(base, ctx.fileStem);
  const cur: TaskFields | null = d.ok ? d.fields : null;
  const set = (field: string, key: string, value: unknown, isSoft = false) => {
    doc[key] = value;
    (isSoft ? soft : hard).push(field);
  };
  const setSpec = (field: string, key: string, value: unknown) => {
    if (isDoc(base.specification) || !(key in base)) {
      doc.specification = { ...(isDoc(doc.specification) ? doc.specification : {}), [key]: value };
      if (key in doc && !isDoc(base.specification)) delete doc[key];
    } else doc[key] = value;
    hard.push(field);
  };
  if (cur?.ref !== t.ref) set("ref", "task_id" in base && !("id" in base) ? "task_id" : "id", t.ref);
  if (cur?.title !== t.title) set("title", "title", t.title);
  if (cur?.description !== t.description) set("description", "description", t.description);
  if (cur?.type !== t.type) set("type", "type", t.type);
  if (cur?.assignedAgent !== t.assignedAgent) set("assignedAgent", "assigned_agent", t.assignedAgent === UNASSIGNED_AGENT ? null : t.assignedAgent);
  if ((cur?.priority ?? "normal") !== t.priority) set("priority", "priority", t.priority);
  if ((cur?.authority ?? "review_required") !== t.authority) set("authority", "authority_level", t.authority);
  if ((cur?.deadline ?? null) !== t.deadline) set("deadline", "deadline", t.deadline === null ? null : iso(t.deadline));
  if (!sameList(cur?.acceptanceCriteria ?? [], t.acceptanceCriteria)) setSpec("acceptanceCriteria", "acceptance_criteria", t.acceptanceCriteria);
  if (!sameList(cur?.filesToModify ?? [], t.filesToModify)) setSpec("filesToModify", "files_to_modify", t.filesToModify);
  if (!sameList(cur?.filesToCreate ?? [], t.filesToCreate)) setSpec("filesToCreate", "files_to_create", t.filesToCreate);
  const written = cur?.dependsOn ?? [];
  const linked = written.filter((r) => ctx.knownRefs.has(r) && r !== t.ref);
  if (!sameList([...linked].sort(), [...t.dependsOn].sort())) {
    set("dependsOn", "dependencies", [...t.dependsOn, ...written.filter((r) => !ctx.knownRefs.has(r))]);
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
    assigned_agent: t.assignedAgent === UNASSIGNED_AGENT ? null : t.assignedAgent,
    authority_level: t.authority,
    ...(t.deadline !== null ? { deadline: iso(t.deadline) } : {}),
    specification: { acceptance_criteria: t.acceptanceCriteria, files_to_modify: t.filesToModify, files_to_create: t.filesToCreate },
    created_by: t.createdBy,
    created_at: iso(t.createdAt),
  };
}
