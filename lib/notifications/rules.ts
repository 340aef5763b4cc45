/**
 * Which live events become a system notification for a person, and what it says. The event stream
 * carries ids and verbs only (lib/domain/vocabulary.ts LiveEvent); what a notification says is read
 * over REST with the person's own session (the message, the task, its runs), so it shows nothing
 * that person could not open in the dashboard.
 */
import { PEOPLE_INBOX, type LiveEvent } from "@/lib/domain/vocabulary";
import { hrefs } from "@/lib/queries/links";

export interface NotificationSpec {
  title: string;
  body: string;
  /** Where a click lands: the thread, the output review, the task. */
  href: string;
  /** The OS replaces a notification with the same tag: one per thing, whichever tab shows it. */
  tag: string;
  /** The task it is about, when there is one (an escalation and the block that follows are one thing). */
  taskId: string | null;
  kind: "message" | "review" | "run" | "blocked";
}

interface MessageLite {
  id: string;
  threadId: string;
  to: string;
  type: string;
  subject: string | null;
  body: string;
  from: { kind: string; name: string };
  taskId: string | null;
}
interface TaskLite {
  id: string;
  ref: string;
  title: string;
  status: string;
  assignedAgent: string;
  blockedReason?: string | null;
  outputs?: { id: string; version: number; status: string }[];
}
interface RunLite {
  id: string;
  status: string;
  reason?: string | null;
}

/** How the rules read what an event names (the dashboard's REST calls; stubs in tests). */
export interface Lookups {
  message: (id: string) => Promise<MessageLite>;
  task: (id: string) => Promise<TaskLite>;
  runs: (taskId: string) => Promise<{ items: RunLite[] }>;
}

/** The message types that ask the people for something: an escalation or a question. */
export const ASKING_TYPES = new Set(["escalation", "consultation", "question"]);

const FAILED_RUNS = new Set(["failed", "timed_out"]);

/**
 * Worth a look (before reading anything): a message into the people's inbox, a task handed in for
 * review, a finished run, a blocked or escalated task; never what this person did themselves.
 */
export function mayNotify(e: LiveEvent, me: { email: string }): boolean {
  if (e.actor.kind === "person" && e.actor.id === me.email) return false;
  switch (e.verb) {
    case "message.sent":
      return e.inbox === PEOPLE_INBOX;
    case "task.submitted_for_review":
    case "task.blocked":
    case "task.escalated":
      return !!e.taskId;
    case "run.finished":
      return !!e.taskId;
    default:
      return false;
  }
}

const clip = (s: string, n = 160) => {
  const one = s.replace(/\s+/g, " ").trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
};

/** What the notification says and where it leads; null when, read in full, the event is not one to notify. */
export async function describe(e: LiveEvent, get: Lookups): Promise<NotificationSpec | null> {
  switch (e.verb) {
    case "message.sent": {
      const m = await get.message(e.entityId);
      if (m.to !== PEOPLE_INBOX || !ASKING_TYPES.has(m.type)) return null;
      const what = m.type === "escalation" ? "escalated" : "asks";
      return {
        kind: "message",
        title: `${m.from.name} ${what}${m.subject ? `: ${clip(m.subject, 80)}` : ""}`,
        body: clip(m.body),
        href: hrefs.thread(PEOPLE_INBOX, m.threadId),
        tag: m.taskId ? `agentdesk:task:${m.taskId}` : `agentdesk:thread:${m.threadId}`,
        taskId: m.taskId,
      };
    }
    case "task.submitted_for_review": {
      const t = await get.task(e.taskId!);
      if (t.status !== "in_review") return null;
      const latest = [...(t.outputs ?? [])].sort((a, b) => b.version - a.version)[0];
      return {
        kind: "review",
        title: `Output waiting for review: ${t.ref} ${clip(t.title, 80)}`,
        body: `${t.assignedAgent} handed in${latest ? ` version ${latest.version}` : ""}.`,
        href: latest ? hrefs.output(latest.id) : hrefs.task(t.id),
        tag: `agentdesk:review:${t.id}`,
        taskId: t.id,
      };
    }
    case "run.finished": {
      const [runs, t] = await Promise.all([get.runs(e.taskId!), get.task(e.taskId!)]);
      const run = runs.items.find((r) => r.id === e.entityId);
      if (!run || !FAILED_RUNS.has(run.status)) return null;
      return {
        kind: "run",
        title: `Run ${run.status === "timed_out" ? "timed out" : "failed"}: ${t.ref} ${clip(t.title, 80)}`,
        body: run.reason ? clip(run.reason) : `${t.assignedAgent}'s run ended without finishing the task.`,
        href: hrefs.task(t.id),
        tag: `agentdesk:task:${t.id}`,
        taskId: t.id,
      };
    }
    case "task.blocked":
    case "task.escalated": {
      const t = await get.task(e.taskId!);
      if (t.status !== "blocked") return null;
      return {
        kind: "blocked",
        title: `Task blocked: ${t.ref} ${clip(t.title, 80)}`,
        body: t.blockedReason ? clip(t.blockedReason) : `${t.assignedAgent} cannot go on.`,
        href: hrefs.task(t.id),
        tag: `agentdesk:task:${t.id}`,
        taskId: t.id,
      };
    }
    default:
      return null;
  }
}

/**
 * One notification per thing. A task that goes wrong says so several ways at once: an agent that
 * escalates blocks its task right after; a failed run blocks the task and escalates to the people
 * in the same transaction. What leads furthest (the question, then the failed run, then the block)
 * is shown, the rest left out: among the events of one burst (pickPerTask), and for `windowMs` after
 * a notification about the same task (coveredByRecent). An output handed in for review is news of
 * its own, never left out.
 */
const RANK: Record<NotificationSpec["kind"], number> = { message: 3, run: 2, blocked: 1, review: 0 };

/** Per task, the notification that ranks highest (the first of equals); those about no task, all of them. */
export function pickPerTask(specs: NotificationSpec[]): NotificationSpec[] {
  const best = new Map<string, NotificationSpec>();
  for (const spec of specs) {
    if (!spec.taskId || spec.kind === "review") continue;
    const had = best.get(spec.taskId);
    if (!had || RANK[spec.kind] > RANK[had.kind]) best.set(spec.taskId, spec);
  }
  return specs.filter((spec) => !spec.taskId || spec.kind === "review" || best.get(spec.taskId) === spec);
}

export type Recent = Map<string, { at: number; kind: NotificationSpec["kind"] }>;

/** A notification about the same task that ranks as high or higher was shown less than `windowMs` ago. */
export function coveredByRecent(spec: NotificationSpec, recent: Recent, now: number, windowMs = 60_000): boolean {
  if (spec.kind === "review" || !spec.taskId) return false;
  const r = recent.get(spec.taskId);
  return !!r && now - r.at < windowMs && RANK[r.kind] >= RANK[spec.kind];
}
