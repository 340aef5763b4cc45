// Normalising at the edge: what the loose Agent_Memory files say, read into AgentDesk's one canonical
// form (derive*), and the canonical form written back into a file's own document so that every field
// AgentDesk does not model survives (apply*). Pure functions: no file system, no database.
import type { InstructionRow, MessageRow, OutputRow, Priority, TaskStatus } from "@/db/schema";
import { instructionPhases, messageTypes, PEOPLE_INBOX } from "@/db/schema";
import { INSTRUCTION_ID_PATTERN, MESSAGE_ID_PATTERN, PROTOCOL_AGENT_PATTERN, TASK_REF_PATTERN, UNASSIGNED_AGENT } from "@/lib/services/protocol";
import { toYaml } from "./yaml";

export type Doc = Record<string, unknown>;
export const isDoc = (v: unknown): v is Doc => !!v && typeof v === "object" && !Array.isArray(v);

export const BRIDGE_NAME = "system:folder-bridge";
export const BROADCAST = "broadcast";
export const TASK_FOLDERS = ["pending", "in_progress", "completed", "blocked", "cancelled"] as const;
export type TaskFolder = (typeof TASK_FOLDERS)[number];

const PEOPLE = new Set(["hitl", "human", "humans", "people", "person", "user", "users"]);
const EVERYONE = new Set(["broadcast", "all", "all_agents", "all-agents", "everyone", "*"]);

/* ---------------- scalars ---------------- */

export const str = (v: unknown): string | null =>
  typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : null;

/** A non-empty trimmed string, or null. */
const text = (v: unknown): string | null => {
  const s = str(v);
  return s !== null && s.trim() !== "" ? s : null;
};

export function firstLine(s: string, max: number): string {
  const line =
    s
      .split("\n")
      .map((l) => l.replace(/^[\s#>*\-•]+/, "").replace(/\*\*/g, "").trim())
      .find((l) => l !== "") ?? "";
  return line.length > max ? `${line.slice(0, max - 1).trimEnd()}…` : line;
}

export const humanise = (key: string): string => {
  const s = key.replace(/[_-]+/g, " ").trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
};

/** ISO-8601 (what the protocol writes) to epoch ms; anything else (`{timestamp}`, "3 days") is null. */
export function timeOf(v: unknown): number | null {
  if (typeof v !== "string" || !/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(v.trim())) return null;
  const s = v.trim();
  const ms = Date.parse(/T|\s/.test(s) && !/(Z|[+-]\d{2}:?\d{2})$/.test(s) ? `${s.replace(" ", "T")}Z` : s);
  return Number.isFinite(ms) ? ms : null;
}
export const iso = (ms: number): string => new Date(ms).toISOString();

export function priorityOf(v: unknown): Priority | null {
  const s = str(v)?.trim().toLowerCase();
  if (s === "medium") return "normal";
  return s === "critical" || s === "high" || s === "normal" || s === "low" ? s : null;
}

/** A lower-case word such as a task or message type (`Code Review` → `code_review`). */
export function wordOf(v: unknown): string | null {
  const s = str(v)?.trim().toLowerCase().replace(/[\s-]+/g, "_");
  return s && /^[a-z][a-z0-9_]{0,39}$/.test(s) ? s : null;
}

export type NameResult = { ok: true; name: string | null } | { ok: false; reason: string };

/** Agent names hyphenated and lower case (`tech_lead` → `tech-lead`); null when the file says none. */
export function agentNameOf(v: unknown, what: string): NameResult {
  if (v === null || v === undefined || (typeof v === "string" && v.trim() === "")) return { ok: true, name: null };
  if (typeof v !== "string") return { ok: false, reason: `${what} is not a name` };
  const name = v.trim().toLowerCase().replace(/[\s_]+/g, "-");
  if (!PROTOCOL_AGENT_PATTERN.test(name)) return { ok: false, reason: `${what} ${JSON.stringify(v.slice(0, 80))} is not a usable agent name` };
  return { ok: true, name };
}

export const refOf = (v: unknown): string | null => {
  const s = str(v)?.trim();
  return s && TASK_REF_PATTERN.test(s) ? s : null;
};
export const isInstructionId = (v: unknown): v is string => typeof v === "string" && INSTRUCTION_ID_PATTERN.test(v);

/** Items of a list as strings: `{T2: "login"}` reads `T2: login`; a lone string is a list of one. */
function stringList(v: unknown, max = 500): string[] {
  const items = Array.isArray(v) ? v : typeof v === "string" ? [v] : [];
  const out: string[] = [];
  for (const item of items) {
    let s: string | null = null;
    if (typeof item === "string") s = item.trim();
    else if (typeof item === "number" || typeof item === "boolean") s = String(item);
    else if (isDoc(item)) {
      const entries = Object.entries(item);
      s = entries.length === 1 && str(entries[0][1]) !== null ? `${entries[0][0]}: ${str(entries[0][1])}` : JSON.stringify(item);
    }
    if (s) out.push(s.slice(0, 5000));
    if (out.length >= max) break;
  }
  return out;
}

/** Paths listed as strings or as `{path: ...}` entries. */
function pathList(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  return v
    .map((x) => (typeof x === "string" ? x.trim() : isDoc(x) && typeof x.path === "string" ? x.path.trim() : ""))
    .filter((x) => x !== "")
    .map((x) => x.slice(0, 1000))
    .slice(0, 1000);
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/* ---------------- tasks ---------------- */

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

export type Derived<T> = { ok: true; fields: T; warnings: string[] } | { ok: false; reason: string };

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
export interface TaskRecord {
  ref: string;
  title: string;
  description: string;
  type: string;
  assignedAgent: string;
  status: TaskStatus;
  priority: Priority;
  authority: "autonomous" | "review_required";
  deadline: number | null;
  acceptanceCriteria: string[];
  filesToModify: string[];
  filesToCreate: string[];
  dependsOn: string[];
  blockedReason: string | null;
  blockerType: string | null;
  createdAt: number;
  completedAt: number | null;
  createdBy: string;
}

export interface Applied {
  doc: Doc;
  /** Modelled fields the document disagreed on: the file is out of date. */
  hard: string[];
  /** Fields added for the round trip only (timestamps, ids): worth writing, not worth a rewrite. */
  soft: string[];
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

/* ---------------- messages ---------------- */

export interface Sender {
  kind: "agent" | "person" | "system";
  name: string;
}

/** `from:` as written: an agent, the people (`hitl`, `human`), a person's e-mail, or the system. */
export function senderOf(v: unknown): { ok: true; sender: Sender } | { ok: false; reason: string } {
  if (v === null || v === undefined || (typeof v === "string" && v.trim() === "")) return { ok: true, sender: { kind: "system", name: BRIDGE_NAME } };
  if (typeof v !== "string") return { ok: false, reason: "from is not a name" };
  const s = v.trim();
  if (PEOPLE.has(s.toLowerCase())) return { ok: true, sender: { kind: "person", name: PEOPLE_INBOX } };
  if (/^system:[a-z0-9_.-]{1,60}$/i.test(s)) return { ok: true, sender: { kind: "system", name: s } };
  if (/^[^\s@/\\]{1,100}@[^\s@/\\]{1,200}$/.test(s)) return { ok: true, sender: { kind: "person", name: s } };
  const a = agentNameOf(s, "from");
  return a.ok ? { ok: true, sender: { kind: "agent", name: a.name! } } : { ok: false, reason: a.reason };
}

/** The inbox a `to:` (or an inbox folder name) means: an agent, `hitl`, or `broadcast`. */
export function inboxOf(v: unknown, what: string): NameResult {
  if (typeof v === "string" && PEOPLE.has(v.trim().toLowerCase())) return { ok: true, name: PEOPLE_INBOX };
  if (typeof v === "string" && EVERYONE.has(v.trim().toLowerCase())) return { ok: true, name: BROADCAST };
  return agentNameOf(v, what);
}

/** Envelope keys: they become columns; everything else is the body. */
const ENVELOPE = new Set([
  "type",
  "from",
  "to",
  "instruction_id",
  "task_id",
  "priority",
  "urgency",
  "timestamp",
  "subject",
  "message_id",
  "thread_id",
  "in_reply_to",
  "step_position",
  "status",
]);

/**
 * The body people read: a message with one text field is that text; otherwise every non-envelope
 * field in file order, labelled, text as text, lists as lists, structures as YAML blocks.
 */
export function renderBody(doc: Doc): string {
  const entries = Object.entries(doc).filter(([k, v]) => !ENVELOPE.has(k) && v !== null && v !== undefined && v !== "");
  if (entries.length === 1 && typeof entries[0][1] === "string") return entries[0][1];
  const parts: string[] = [];
  for (const [k, v] of entries) {
    const label = humanise(k);
    if (typeof v === "string") {
      parts.push(!v.includes("\n") && v.length <= 160 ? `**${label}:** ${v}` : `**${label}**\n\n${v.trimEnd()}`);
    } else if (typeof v === "number" || typeof v === "boolean") parts.push(`**${label}:** ${v}`);
    else if (Array.isArray(v) && v.every((x) => typeof x === "string" || typeof x === "number" || typeof x === "boolean")) {
      parts.push(v.length ? `**${label}**\n\n${v.map((x) => `- ${String(x).replace(/\n/g, " ")}`).join("\n")}` : `**${label}:** (none)`);
    } else parts.push(`**${label}**\n\n\`\`\`yaml\n${toYaml(v).trimEnd()}\n\`\`\``);
  }
  return parts.join("\n\n");
}

const SUBJECT_KEYS = ["title", "task_title", "what", "decision_required", "message", "question", "response", "description", "details", "findings", "recommendation", "summary", "blocker_description"];

export function subjectOf(doc: Doc, type: string): string {
  if (typeof doc.subject === "string") return doc.subject.slice(0, 300);
  const nested = [isDoc(doc.task_details) ? doc.task_details.description : null, isDoc(doc.escalation) ? doc.escalation.issue : null, isDoc(doc.blocker) ? doc.blocker.description : null];
  for (const v of [...SUBJECT_KEYS.slice(0, 4).map((k) => doc[k]), ...nested, ...SUBJECT_KEYS.slice(4).map((k) => doc[k])]) {
    const s = text(v);
    if (s) {
      const line = firstLine(s, 160);
      if (line) return line;
    }
  }
  const inst = isInstructionId(doc.instruction_id) ? ` (${doc.instruction_id})` : "";
  return `${humanise(type)}${inst}`;
}

const knownTypes = [...messageTypes].sort((a, b) => b.length - a.length);

/** `review_response_20260103_120000.yaml` → review_response, when the file says no type. */
export function typeFromFileName(fileName: string): string | null {
  const stem = fileName.replace(/\.ya?ml$/, "");
  return knownTypes.find((t) => stem === t || stem.startsWith(`${t}_`)) ?? null;
}

export interface MessageFields {
  id: string | null;
  from: Sender;
  to: string | null;
  type: string;
  priority: Priority;
  subject: string;
  body: string;
  instructionId: string | null;
  taskRef: string | null;
  inReplyTo: string | null;
  threadId: string | null;
  stepPosition: number | null;
  createdAt: number | null;
}

export function deriveMessage(doc: Doc, fileName: string): Derived<MessageFields> {
  const from = senderOf(doc.from);
  if (!from.ok) return { ok: false, reason: from.reason };
  const to = doc.to === undefined || doc.to === null ? { ok: true as const, name: null } : inboxOf(doc.to, "to");
  const warnings: string[] = [];
  if (!to.ok) warnings.push(`${to.reason}: the inbox folder decides`);
  const type = wordOf(doc.type) ?? typeFromFileName(fileName) ?? "status_update";
  const ctxDoc = isDoc(doc.context) ? doc.context : {};
  const inst = doc.instruction_id ?? ctxDoc.instruction_id;
  const id = typeof doc.message_id === "string" && MESSAGE_ID_PATTERN.test(doc.message_id) ? doc.message_id : null;
  const thread = text(doc.thread_id);
  const step = typeof doc.step_position === "number" && Number.isInteger(doc.step_position) && doc.step_position > 0 ? doc.step_position : null;
  return {
    ok: true,
    warnings,
    fields: {
      id,
      from: from.sender,
      to: to.ok ? to.name : null,
      type,
      priority: priorityOf(doc.priority ?? doc.urgency) ?? "normal",
      subject: subjectOf(doc, type),
      body: renderBody(doc).slice(0, 1_000_000),
      instructionId: isInstructionId(inst) ? inst : null,
      taskRef: refOf(doc.task_id),
      inReplyTo: text(doc.in_reply_to)?.trim().slice(0, 300) ?? null,
      threadId: thread && /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/.test(thread.trim()) ? thread.trim() : null,
      stepPosition: step,
      createdAt: timeOf(doc.timestamp ?? doc.created_at),
    },
  };
}

export type MessageRecord = Pick<
  MessageRow,
  "id" | "threadId" | "inReplyTo" | "fromKind" | "fromName" | "toInbox" | "type" | "priority" | "subject" | "body" | "instructionId" | "stepPosition" | "createdAt"
> & { taskRef: string | null };

/**
 * Writes a message's modelled fields into its document (a new one for a message born in AgentDesk).
 * `message_id`, `thread_id` and `in_reply_to` are added so threads survive export and re-import.
 */
export function applyMessage(base: Doc, m: MessageRecord, ctx: { fileName: string; knownInstruction: (id: string) => boolean; knownTask: (instructionId: string, ref: string) => boolean }): Applied {
  const doc: Doc = { ...base };
  const hard: string[] = [];
  const soft: string[] = [];
  const d = deriveMessage(base, ctx.fileName);
  const cur = d.ok ? d.fields : null;
  const set = (field: string, key: string, value: unknown, isSoft = false) => {
    doc[key] = value;
    (isSoft ? soft : hard).push(field);
  };
  if (cur?.type !== m.type) set("type", "type", m.type);
  if (cur?.from.kind !== m.fromKind || cur?.from.name !== m.fromName) set("from", "from", m.fromName);
  const to = m.toInbox === BROADCAST ? "all_agents" : m.toInbox;
  if ((cur?.to ?? null) !== m.toInbox) set("to", "to", to, cur?.to == null && Object.keys(base).length > 0);
  if ((cur?.priority ?? "normal") !== m.priority) set("priority", "priority" in base || !("urgency" in base) ? "priority" : "urgency", m.priority);
  const written = cur?.instructionId ?? null;
  const linkedInstruction = written && ctx.knownInstruction(written) ? written : null;
  if (linkedInstruction !== m.instructionId) set("instructionId", "instruction_id", m.instructionId);
  const inst = m.instructionId ?? written;
  const linkedTask = cur?.taskRef && inst && ctx.knownTask(inst, cur.taskRef) ? cur.taskRef : null;
  if (linkedTask !== m.taskRef && (m.taskRef !== null || linkedInstruction !== null)) set("taskRef", "task_id", m.taskRef);
  if (cur?.createdAt !== m.createdAt) set("createdAt", "timestamp", iso(m.createdAt), cur?.createdAt == null);
  if (cur?.subject !== m.subject) set("subject", "subject", m.subject);
  if (cur?.body !== m.body) {
    const content = Object.keys(base).filter((k) => !ENVELOPE.has(k));
    // Only a message without a body of its own is given one: an imported body is the file itself.
    if (content.length === 0 || (content.length === 1 && content[0] === "message")) set("body", "message", m.body);
  }
  if ((cur?.stepPosition ?? null) !== m.stepPosition && m.stepPosition !== null) set("stepPosition", "step_position", m.stepPosition, true);
  if (cur?.id !== m.id) set("id", "message_id", m.id, true);
  if (m.threadId !== m.id && cur?.threadId !== m.threadId) set("threadId", "thread_id", m.threadId, true);
  if (m.inReplyTo && !cur?.inReplyTo) set("inReplyTo", "in_reply_to", m.inReplyTo, true);
  return { doc: orderEnvelope(doc, Object.keys(base).length === 0), hard, soft };
}

/** A document born here reads like the protocol's: envelope first, then the body. */
function orderEnvelope(doc: Doc, fresh: boolean): Doc {
  if (!fresh) return doc;
  const order = ["type", "from", "to", "instruction_id", "task_id", "step_position", "priority", "timestamp", "subject", "message_id", "thread_id", "in_reply_to", "message"];
  const out: Doc = {};
  for (const k of order) if (k in doc && doc[k] !== null) out[k] = doc[k];
  for (const [k, v] of Object.entries(doc)) if (!(k in out) && v !== null) out[k] = v;
  return out;
}

/** The document of a message born in AgentDesk: the envelope, then the body as `message`. */
export function freshMessageDoc(m: MessageRecord): Doc {
  return {
    type: m.type,
    from: m.fromName,
    to: m.toInbox === BROADCAST ? "all_agents" : m.toInbox,
    priority: m.priority,
    timestamp: iso(m.createdAt),
    subject: m.subject,
    message: m.body,
  };
}

/** A file name for a message born in AgentDesk: `{type}_{YYYYMMDD_HHMMSS}.yaml`. */
export function messageFileName(m: Pick<MessageRow, "type" | "createdAt" | "id">, withId = false): string {
  const d = new Date(m.createdAt).toISOString();
  const stamp = `${d.slice(0, 4)}${d.slice(5, 7)}${d.slice(8, 10)}_${d.slice(11, 13)}${d.slice(14, 16)}${d.slice(17, 19)}`;
  return `${m.type}_${stamp}${withId ? `_${m.id.slice(-6)}` : ""}.yaml`;
}

/* ---------------- instructions ---------------- */

export interface InstructionBundle {
  id: string;
  instruction?: Doc;
  status?: Doc;
  plan?: Doc;
}

export interface InstructionFields {
  title: string;
  body: string;
  tier: number;
  priority: Priority;
  phase: (typeof instructionPhases)[number];
  createdBy: string;
  createdAt: number | null;
  updatedAt: number | null;
}

const tierOf = (v: unknown): number | null => (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 4 ? v : null);
function phaseOf(v: unknown): InstructionFields["phase"] | null {
  const s = wordOf(v);
  return s && (instructionPhases as readonly string[]).includes(s) ? (s as InstructionFields["phase"]) : null;
}
// Maps, not object literals: the words come from the files (`status: constructor` is not a phase).
const workflowPhase = new Map<string, InstructionFields["phase"]>([
  ["completed", "completed"],
  ["failed", "failed"],
  ["blocked", "blocked"],
]);

/** instruction.yaml + status.yaml (+ plan.yaml's tier): title from raw_input or intent, phase from current_phase or phase. */
export function deriveInstruction(b: InstructionBundle): InstructionFields {
  const i = b.instruction ?? {};
  const s = b.status ?? {};
  const p = b.plan ?? {};
  const raw = text(i.raw_input);
  const title = text(i.title)?.trim() || (raw ? firstLine(raw, 200) : "") || (text(i.intent) ? humanise(String(i.intent)) : "") || b.id;
  return {
    title: title.slice(0, 200),
    body: str(i.raw_input) ?? str(i.body) ?? str(i.description) ?? "",
    tier: tierOf(s.tier) ?? tierOf(i.tier) ?? tierOf(p.tier) ?? 1,
    priority: priorityOf(i.priority) ?? "normal",
    phase: phaseOf(s.current_phase) ?? phaseOf(s.phase) ?? workflowPhase.get(wordOf(s.status) ?? "") ?? "routing",
    createdBy: text(i.created_by)?.trim().slice(0, 200) ?? BRIDGE_NAME,
    createdAt: timeOf(i.created_at) ?? timeOf(s.created_at) ?? timeOf(p.created_at),
    updatedAt: timeOf(s.updated_at),
  };
}

export type InstructionRecord = Pick<InstructionRow, "id" | "title" | "body" | "tier" | "priority" | "phase" | "createdBy" | "createdAt" | "updatedAt">;

/** instruction.yaml and status.yaml of an instruction born in AgentDesk. */
export function freshInstructionDocs(r: InstructionRecord): { instruction: Doc; status: Doc } {
  return {
    instruction: { id: r.id, created_at: iso(r.createdAt), created_by: r.createdBy, title: r.title, raw_input: r.body, priority: r.priority },
    status: { instruction_id: r.id, current_phase: r.phase, tier: r.tier, created_at: iso(r.createdAt), updated_at: iso(r.updatedAt) },
  };
}

/**
 * Writes an instruction's modelled fields back into instruction.yaml and status.yaml. A document the
 * folder did not have is created only when it has something to say.
 */
export function applyInstruction(b: InstructionBundle, r: InstructionRecord): { instruction?: Doc; status?: Doc; hard: string[]; soft: string[] } {
  const cur = deriveInstruction(b);
  const inst: Doc = { ...(b.instruction ?? {}) };
  const stat: Doc = { ...(b.status ?? {}) };
  const hard: string[] = [];
  const soft: string[] = [];
  let touchI = false;
  let touchS = false;
  const setI = (field: string, key: string, value: unknown, isSoft = false) => {
    inst[key] = value;
    touchI = true;
    (isSoft ? soft : hard).push(field);
  };
  const setS = (field: string, key: string, value: unknown) => {
    stat[key] = value;
    touchS = true;
    hard.push(field);
  };
  if (cur.title !== r.title) setI("title", "title", r.title);
  if (cur.body !== r.body) setI("body", "raw_input" in inst || !("body" in inst) ? "raw_input" : "body", r.body);
  if (cur.priority !== r.priority) setI("priority", "priority", r.priority);
  if (cur.createdAt !== r.createdAt) setI("createdAt", "created_at", iso(r.createdAt), cur.createdAt === null);
  if (cur.createdBy !== r.createdBy) setI("createdBy", "created_by", r.createdBy, true);
  if (cur.tier !== r.tier) setS("tier", "tier", r.tier);
  if (cur.phase !== r.phase) setS("phase", "phase" in stat && !("current_phase" in stat) ? "phase" : "current_phase", r.phase);
  const out: { instruction?: Doc; status?: Doc; hard: string[]; soft: string[] } = { hard, soft };
  if (touchI) out.instruction = b.instruction ? inst : { id: r.id, ...inst };
  if (touchS) out.status = b.status ? stat : { instruction_id: r.id, ...stat };
  return out;
}

/* ---------------- outputs and reviews ---------------- */

export interface OutputFields {
  taskRef: string;
  format: OutputRow["format"];
  language: string | null;
  content: string;
  files: { path: string; action?: "created" | "modified" | "deleted" }[];
  submittedBy: string | null;
  createdAt: number | null;
  status: string | null;
}

const fileKeys = new Map<string, "created" | "modified" | "deleted">([
  ["files_created", "created"],
  ["files_to_create", "created"],
  ["files_modified", "modified"],
  ["files_to_modify", "modified"],
  ["files_changed", "modified"],
  ["files_deleted", "deleted"],
]);

/** Files a free-form result lists (`files_created`, `files_modified`... at any depth, as strings or `{path}`). */
function filesOf(doc: Doc): OutputFields["files"] {
  const out: OutputFields["files"] = [];
  const seen = new Set<string>();
  const stack: [unknown, number][] = [[doc, 0]];
  while (stack.length && out.length < 500) {
    const [v, depth] = stack.pop()!;
    if (depth > 6) continue;
    if (Array.isArray(v)) v.forEach((x) => stack.push([x, depth + 1]));
    else if (isDoc(v)) {
      for (const [k, x] of Object.entries(v)) {
        const action = fileKeys.get(k);
        if (action && Array.isArray(x)) {
          for (const p of pathList(x)) {
            const clean = p.replace(/\s+\((created|modified|deleted)[^)]*\)$/i, "");
            if (!seen.has(clean) && out.length < 500) {
              seen.add(clean);
              out.push({ path: clean, action });
            }
          }
        } else stack.push([x, depth + 1]);
      }
    }
  }
  return out;
}

const wrappedFormats = new Set(["markdown", "json", "code", "text"]);

/**
 * `outputs/partial/{task_id}_result.yaml`: the whole file is a YAML output version, unless it is an
 * export of a non-YAML output (`format:` + `content:`), which is unwrapped.
 */
export function deriveOutput(doc: Doc, rawText: string, fileName: string): Derived<OutputFields> {
  const stem = fileName.replace(/\.ya?ml$/, "").replace(/_result$/, "");
  const ref = doc.task_id !== undefined ? refOf(doc.task_id) : refOf(stem);
  if (!ref) return { ok: false, reason: `task id ${JSON.stringify(String(doc.task_id ?? stem).slice(0, 80))} is not usable` };
  const by = agentNameOf(doc.executed_by ?? doc.submitted_by ?? doc.agent, "executed_by");
  const wrapped = typeof doc.format === "string" && wrappedFormats.has(doc.format) && typeof doc.content === "string" && doc.content !== "";
  return {
    ok: true,
    warnings: by.ok ? [] : [`${by.reason}: recorded as submitted by the bridge`],
    fields: {
      taskRef: ref,
      format: wrapped ? (doc.format as OutputFields["format"]) : "yaml",
      language: wrapped ? (text(doc.language)?.slice(0, 40) ?? (doc.format === "code" ? "text" : null)) : null,
      content: wrapped ? (doc.content as string) : rawText,
      files: Array.isArray(doc.files) ? pathList(doc.files).map((path) => ({ path })) : filesOf(doc),
      submittedBy: by.ok ? by.name : null,
      createdAt: timeOf(doc.completed_at ?? doc.submitted_at ?? doc.timestamp),
      status: wordOf(doc.status),
    },
  };
}

export type OutputRecord = Pick<OutputRow, "version" | "format" | "language" | "content" | "files" | "status" | "submittedBy" | "createdAt"> & { taskRef: string; instructionId: string };

/** The text of a result file: a YAML output as it was handed in; any other format wrapped. */
export function renderOutput(o: OutputRecord): string {
  if (o.format === "yaml") return o.content;
  const doc: Doc = {
    task_id: o.taskRef,
    instruction_id: o.instructionId,
    executed_by: o.submittedBy,
    completed_at: iso(o.createdAt),
    status: o.status,
    version: o.version,
    format: o.format,
    ...(o.language ? { language: o.language } : {}),
    ...(o.files.length ? { files: o.files.map((f) => f.path) } : {}),
    content: o.content,
  };
  return toYaml(doc);
}

export interface ReviewRecord {
  id: string;
  instructionId: string;
  taskRef: string;
  outputVersion: number;
  decision: string;
  reviewer: string;
  comment: string;
  messageId: string | null;
  createdAt: number;
}

export function reviewFileName(r: ReviewRecord): string {
  const d = iso(r.createdAt);
  return `${d.slice(0, 4)}${d.slice(5, 7)}${d.slice(8, 10)}_${d.slice(11, 13)}${d.slice(14, 16)}${d.slice(17, 19)}_output_review_${r.taskRef}_v${r.outputVersion}.yaml`;
}

export function renderReview(r: ReviewRecord): string {
  return toYaml({
    type: "output_review",
    review_id: r.id,
    instruction_id: r.instructionId,
    task_id: r.taskRef,
    output_version: r.outputVersion,
    decision: r.decision,
    reviewer: r.reviewer,
    timestamp: iso(r.createdAt),
    ...(r.comment ? { comment: r.comment } : {}),
    ...(r.messageId ? { message_id: r.messageId } : {}),
  });
}
