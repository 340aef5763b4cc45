import "server-only";
// Message files (`_communication/inbox/{agent}/*.yaml`): the envelope becomes columns, the rest the
// body people read; written back with the ids that keep threads together across export and import.
import type { MessageRow } from "@/db/schema";
import { isPeopleAlias, messageTypes, PEOPLE_INBOX, type Priority } from "@/lib/domain/vocabulary";
import { MESSAGE_ID_PATTERN } from "@/lib/services/protocol";
import {
  agentNameOf,
  BRIDGE_NAME,
  BROADCAST,
  firstLine,
  humanise,
  isDoc,
  isInstructionId,
  iso,
  priorityOf,
  refOf,
  text,
  timeOf,
  wordOf,
  type Applied,
  type Derived,
  type Doc,
  type NameResult,
} from "./model-common";
import { toYaml } from "./yaml";

const EVERYONE = new Set(["broadcast", "all", "all_agents", "all-agents", "everyone", "*"]);
/** A broadcast channel's inbox: `broadcast:{channel}` (`_communication/broadcast/{channel}/`). */
export const CHANNEL_PREFIX = `${BROADCAST}:`;

export interface Sender {
  kind: "agent" | "person" | "system";
  name: string;
}

/** `from:` as written: an agent, the people (`hitl`, `human`), a person's e-mail, or the system. */
export function senderOf(v: unknown): { ok: true; sender: Sender } | { ok: false; reason: string } {
  if (v === null || v === undefined || (typeof v === "string" && v.trim() === "")) return { ok: true, sender: { kind: "system", name: BRIDGE_NAME } };
  if (typeof v !== "string") return { ok: false, reason: "from is not a name" };
  const s = v.trim();
  if (isPeopleAlias(s)) return { ok: true, sender: { kind: "person", name: PEOPLE_INBOX } };
  if (/^system:[a-z0-9_.-]{1,60}$/i.test(s)) return { ok: true, sender: { kind: "system", name: s } };
  if (/^[^\s@/\\]{1,100}@[^\s@/\\]{1,200}$/.test(s)) return { ok: true, sender: { kind: "person", name: s } };
  const a = agentNameOf(s, "from");
  return a.ok ? { ok: true, sender: { kind: "agent", name: a.name! } } : { ok: false, reason: a.reason };
}

/** The inbox a `to:` (or an inbox folder name) means: an agent, `hitl`, or `broadcast`. */
export function inboxOf(v: unknown, what: string): NameResult {
  if (typeof v === "string" && isPeopleAlias(v)) return { ok: true, name: PEOPLE_INBOX };
  if (typeof v === "string" && EVERYONE.has(v.trim().toLowerCase())) return { ok: true, name: BROADCAST };
  return agentNameOf(v, what);
}

/** Envelope keys: they become columns; everything else is the body. */
const ENVELOPE = new Set(["type", "from", "to", "instruction_id", "task_id", "priority", "urgency", "timestamp", "subject", "message_id", "thread_id", "in_reply_to", "step_position", "status"]);

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

/**
 * What a message file's place says when the file does not: a report (`reports/{daily,weekly}/`) is a
 * `daily_report` / `weekly_report` (a file's `type: report` too), a hand-off a `handoff`, and both
 * are from the `{from}` of their file name. A channel's `to:` lists its members (not an inbox).
 */
export interface MessageDefaults {
  report?: "daily" | "weekly";
  handoff?: boolean;
  from?: string;
  channel?: boolean;
}

function typeOf(doc: Doc, fileName: string, d: MessageDefaults): string {
  const said = wordOf(doc.type);
  if (d.report) return said === null || said === "report" ? `${d.report}_report` : said;
  if (d.handoff) return said ?? "handoff";
  return said ?? typeFromFileName(fileName) ?? "status_update";
}

/** The agents a channel message names as its recipients (`to:`, `recipients:`, `members:` lists or a name). */
export function recipientsOf(doc: Doc): string[] {
  const out = new Set<string>();
  for (const v of [doc.to, doc.recipients, doc.members]) {
    for (const x of Array.isArray(v) ? v : [v]) {
      if (typeof x !== "string" || EVERYONE.has(x.trim().toLowerCase())) continue;
      const n = agentNameOf(x, "recipient");
      if (n.ok && n.name && !isPeopleAlias(n.name)) out.add(n.name);
    }
  }
  return [...out].sort().slice(0, 500);
}

export function deriveMessage(doc: Doc, fileName: string, defaults: MessageDefaults = {}): Derived<MessageFields> {
  const from = senderOf(doc.from ?? defaults.from);
  if (!from.ok) return { ok: false, reason: from.reason };
  const to = defaults.channel || doc.to === undefined || doc.to === null ? { ok: true as const, name: null } : inboxOf(doc.to, "to");
  const warnings: string[] = [];
  if (!to.ok) warnings.push(`${to.reason}: the inbox folder decides`);
  const type = typeOf(doc, fileName, defaults);
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
export function applyMessage(
  base: Doc,
  m: MessageRecord,
  ctx: { fileName: string; knownInstruction: (id: string) => boolean; knownTask: (instructionId: string, ref: string) => boolean; defaults?: MessageDefaults },
): Applied {
  const doc: Doc = { ...base };
  const hard: string[] = [];
  const soft: string[] = [];
  const defaults = ctx.defaults ?? {};
  const d = deriveMessage(base, ctx.fileName, defaults);
  const cur = d.ok ? d.fields : null;
  const set = (field: string, key: string, value: unknown, isSoft = false) => {
    doc[key] = value;
    (isSoft ? soft : hard).push(field);
  };
  if (cur?.type !== m.type) set("type", "type", m.type);
  if (cur?.from.kind !== m.fromKind || cur?.from.name !== m.fromName) set("from", "from", m.fromName);
  const to = m.toInbox === BROADCAST ? "all_agents" : m.toInbox;
  // A channel message's `to:` is its list of members, and the folder is the channel: left as written.
  // A report's or hand-off's file name says its recipient: no `to:` is added where the file has none.
  const named = (defaults.report || defaults.handoff) && cur?.to == null;
  if (!defaults.channel && !named && !m.toInbox.startsWith(CHANNEL_PREFIX) && (cur?.to ?? null) !== m.toInbox) set("to", "to", to, cur?.to == null && Object.keys(base).length > 0);
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
    ...(m.toInbox.startsWith(CHANNEL_PREFIX) ? {} : { to: m.toInbox === BROADCAST ? "all_agents" : m.toInbox }),
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
