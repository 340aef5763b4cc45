import "server-only";
import { z } from "zod";
import { PEOPLE_INBOX } from "@/lib/domain/vocabulary";

/** What the subscription matcher reads of an event. */
export interface MatchableEvent {
  verb: string;
  after: unknown;
}

const after = (e: MatchableEvent) => (e.after && typeof e.after === "object" ? (e.after as Record<string, unknown>) : {});
const toPeople = (e: MatchableEvent) => e.verb === "message.sent" && after(e).to === PEOPLE_INBOX;

/**
 * Named groups of events a webhook may subscribe to (beside verbs such as `task.blocked` and
 * prefixes such as `task.*`). A group name has no dot, a verb always has one.
 */
export const webhookEventGroups = {
  escalations: {
    label: "Escalations to the people (escalation messages, tasks escalated by the lease sweeper)",
    match: (e: MatchableEvent) => (toPeople(e) && after(e).type === "escalation") || e.verb === "task.escalated",
  },
  messages_to_people: { label: "Every message to the people's inbox (questions, escalations, notes)", match: toPeople },
  awaiting_review: { label: "Outputs waiting for review (a task handed in for review)", match: (e: MatchableEvent) => e.verb === "task.submitted_for_review" },
  runs_failed: { label: "Runs that failed or timed out", match: (e: MatchableEvent) => e.verb === "run.finished" && (after(e).status === "failed" || after(e).status === "timed_out") },
  tasks_blocked: { label: "Tasks blocked (by an agent, a person, a failed run or the lease sweeper)", match: (e: MatchableEvent) => e.verb === "task.blocked" || e.verb === "task.escalated" },
  tasks_completed: { label: "Tasks completed", match: (e: MatchableEvent) => e.verb === "task.completed" },
} as const;

export const webhookEventChoices = () => Object.entries(webhookEventGroups).map(([key, g]) => ({ key, label: g.label }));

/** A verb (`task.blocked`), a prefix (`task.*`), `*` (everything) or a group name. */
export const WebhookEventPattern = z
  .string()
  .trim()
  .max(64)
  .refine((s) => s === "*" || Object.hasOwn(webhookEventGroups, s) || /^[a-z][a-z_]*\.(\*|[a-z][a-z_]*)$/.test(s), {
    message: `An event verb (task.blocked), a prefix (task.*), * or a group: ${Object.keys(webhookEventGroups).join(", ")}`,
  });

export const WebhookEventList = z
  .array(WebhookEventPattern)
  .min(1, "Choose at least one event")
  .max(30)
  .transform((l) => [...new Set(l)]);

/** Does a subscription (its patterns) want this event? */
export function wantsEvent(patterns: readonly string[], e: MatchableEvent): boolean {
  for (const p of patterns) {
    if (p === "*" || p === e.verb) return true;
    if (p.endsWith(".*") && e.verb.startsWith(p.slice(0, -1))) return true;
    const g = (webhookEventGroups as Record<string, { match: (e: MatchableEvent) => boolean }>)[p];
    if (g && Object.hasOwn(webhookEventGroups, p) && g.match(e)) return true;
  }
  return false;
}
