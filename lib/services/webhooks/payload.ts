import "server-only";
import type { WebhookFormat } from "@/db/schema";

/** An event as a webhook sees it (the events row, with its JSON parsed). */
export interface WebhookEvent {
  id: number;
  at: number;
  actorKind: string;
  actorId: string;
  verb: string;
  entityKind: string;
  entityId: string;
  instructionId: string | null;
  taskId: string | null;
  before: unknown;
  after: unknown;
}

/** What the sentence needs beside the event, read in the follower's transaction. */
export interface EventContext {
  task?: { id: string; title: string; status: string; assignedAgent: string } | null;
  message?: { id: string; threadId: string; fromName: string; toInbox: string; type: string; subject: string; body: string } | null;
  run?: { id: string; agentName: string } | null;
  instruction?: { id: string; title: string } | null;
}

const enc = encodeURIComponent;
/** The dashboard's paths (lib/queries/links.ts has the same for the pages). */
const paths = {
  task: (id: string) => `/tasks/${enc(id)}`,
  output: (id: string) => `/outputs/${enc(id)}`,
  thread: (inbox: string, threadId: string) => `/inbox/${enc(inbox)}/${enc(threadId)}`,
  instruction: (id: string) => `/instructions/${enc(id)}`,
  agent: (name: string) => `/agents/${enc(name)}`,
  settings: () => "/settings",
};

const clip = (s: string, n: number) => {
  const one = s.replace(/\s+/g, " ").trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
};
const str = (v: unknown) => (typeof v === "string" ? v : "");

/** Where the thing the event is about lives in the dashboard (a path, or null). */
export function eventPath(e: WebhookEvent, c: EventContext): string | null {
  if (e.entityKind === "message" && c.message) return paths.thread(c.message.toInbox, c.message.threadId);
  if (e.entityKind === "output") return paths.output(e.entityId);
  if (e.taskId) return paths.task(e.taskId);
  if (e.entityKind === "instruction") return paths.instruction(e.entityId);
  if (e.entityKind === "agent") return paths.agent(e.entityId);
  if (e.instructionId) return paths.instruction(e.instructionId);
  return null;
}

const verbPhrases: Record<string, string> = {
  "task.created": "was created",
  "task.claimed": "was claimed",
  "task.blocked": "is blocked",
  "task.unblocked": "was unblocked",
  "task.escalated": "was escalated to the people",
  "task.submitted_for_review": "is waiting for review",
  "task.completed": "is completed",
  "task.cancelled": "was cancelled",
  "task.reassigned": "was reassigned",
  "task.requeued": "went back to the queue",
  "task.changes_requested": "needs changes",
  "task.lease_expired": "lost its lease",
};

/** One readable sentence about the event, for people (the Slack text, the JSON `summary`). */
export function describeEvent(e: WebhookEvent, c: EventContext): string {
  const a = (e.after && typeof e.after === "object" ? e.after : {}) as Record<string, unknown>;
  const who = e.actorId;
  const task = c.task ? `Task “${clip(c.task.title, 120)}”` : e.taskId ? `Task ${e.taskId}` : null;
  if (e.verb === "message.sent" && c.message) {
    const m = c.message;
    const kind = m.type === "escalation" ? "escalated to" : m.type === "question" ? "asked" : "wrote to";
    const to = m.toInbox === "hitl" ? "the people" : m.toInbox;
    const text = clip(m.subject || m.body, 200);
    return `${m.fromName} ${kind} ${to}${task ? ` about ${task.replace(/^Task/, "task")}` : ""}: ${text}`;
  }
  if (e.verb === "run.finished") {
    const status = str(a.status).replace("_", " ") || "finished";
    const agent = c.run?.agentName ?? "an agent";
    const reason = str(a.reason);
    return `The run of ${agent}${task ? ` on ${task.replace(/^Task/, "task")}` : ""} ${status === "timed out" ? "timed out" : status}${reason ? `: ${clip(reason, 200)}` : ""}`;
  }
  if (task && verbPhrases[e.verb]) {
    const reason = str(a.reason);
    const by = e.actorKind === "system" ? "" : ` (by ${who})`;
    const to = e.verb === "task.reassigned" && str(a.agent || a.to) ? ` to ${str(a.agent || a.to)}` : "";
    return `${task} ${verbPhrases[e.verb]}${to}${by}${reason ? `: ${clip(reason, 200)}` : ""}`;
  }
  if (e.verb === "output.submitted") return `${who} handed in an output${task ? ` for ${task.replace(/^Task/, "task")}` : ""}`;
  if (e.entityKind === "instruction" && c.instruction) return `Instruction “${clip(c.instruction.title, 120)}”: ${e.verb.split(".")[1]?.replace(/_/g, " ")} (by ${who})`;
  return `${e.verb} on ${e.entityKind} ${e.entityId}${task ? ` (${task})` : ""} by ${who}`;
}

export interface DeliveryBodyInput {
  deliveryId: string;
  format: WebhookFormat;
  baseUrl: string;
  createdAt: number;
  /** Null for a test delivery. */
  event: WebhookEvent | null;
  context: EventContext;
  webhookId: string;
}

/** The exact body sent (on every attempt) for a delivery: AgentDesk's JSON, or Slack's `{"text"}`. */
export function deliveryBody(d: DeliveryBodyInput): string {
  const base = d.baseUrl.replace(/\/+$/, "");
  const path = d.event ? eventPath(d.event, d.context) : paths.settings();
  const url = path ? base + path : null;
  const summary = d.event ? describeEvent(d.event, d.context) : `Test delivery from AgentDesk: webhook ${d.webhookId} is reachable and its signature can be checked.`;
  if (d.format === "slack") {
    // Slack's mrkdwn: &, < and > are escaped; a link is <url|label>.
    const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    return JSON.stringify({ text: `${esc(summary)}${url ? ` <${url}|Open in AgentDesk>` : ""}` });
  }
  const e = d.event;
  return JSON.stringify({
    id: d.deliveryId,
    type: e ? e.verb : "webhook.test",
    createdAt: new Date(d.createdAt).toISOString(),
    summary,
    url,
    event: e
      ? {
          id: e.id,
          verb: e.verb,
          at: new Date(e.at).toISOString(),
          actor: { kind: e.actorKind, id: e.actorId },
          entityKind: e.entityKind,
          entityId: e.entityId,
          instructionId: e.instructionId,
          taskId: e.taskId,
          before: e.before ?? null,
          after: e.after ?? null,
        }
      : null,
    task: d.context.task ?? null,
  });
}
