import * as React from "react";
import Link from "next/link";
import type { EventDto } from "@/lib/services";
import { StatusIcon } from "@/components/ui/status";
import { RelativeTime } from "@/components/ui/relative-time";
import { Mono } from "@/components/ui/mono";
import { cn } from "@/components/ui/cn";
import { hrefs } from "@/lib/queries/links";

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (v && typeof v === "object" ? (v as Rec) : {});
const str = (v: unknown): string | null => (typeof v === "string" && v.trim() ? v : typeof v === "number" ? String(v) : null);

/** Why an agent was woken, in words (wakeKinds in lib/domain/vocabulary.ts). */
const wakeWords: Record<string, string> = {
  changes_requested: "changes requested",
  answer: "a thread was answered",
  message: "a message asks it to act",
  dependency: "a dependency completed",
};
const wakeKind = (v: unknown) => {
  const k = str(v);
  return k ? (wakeWords[k] ?? k.replace(/_/g, " ")) : "woken";
};

export interface EventDescription {
  /** A status whose icon and colour represent the event. */
  status: string;
  /** What happened, in words (no actor). */
  text: React.ReactNode;
  /** A quoted note or reason, shown as plain text under it. */
  note?: string | null;
}

/** Turns an event row into a sentence. Unknown verbs still read sensibly ("task.foo" → "task foo"). */
export function describeEvent(e: EventDto): EventDescription {
  const before = rec(e.before);
  const after = rec(e.after);
  const [kind, action] = e.verb.split(".");
  switch (e.verb) {
    case "task.created":
      return {
        status: "pending",
        text: (
          <>
            created the task {str(after.title) ? <q>{str(after.title)}</q> : null} for {str(after.assignedAgent) ?? "an agent"}
          </>
        ),
      };
    case "task.claimed":
      return { status: "in_progress", text: "claimed the task and started" };
    case "task.blocked":
      return { status: "blocked", text: "blocked the task", note: str(after.reason) };
    case "task.unblocked":
      return { status: "in_progress", text: "unblocked the task", note: str(after.note) };
    case "task.cancelled":
      return { status: "cancelled", text: "cancelled the task", note: str(after.reason) };
    case "task.reassigned":
      return {
        status: "pending",
        text: (
          <>
            reassigned the task from {str(before.assignedAgent)} to {str(after.assignedAgent)}
          </>
        ),
      };
    case "task.completed":
      return { status: "completed", text: "completed the task", note: str(after.summary) };
    case "task.submitted_for_review":
      return { status: "in_review", text: "handed the task in for review", note: str(after.summary) };
    case "task.changes_requested":
      // The output's own event says "requested changes on output vN": this one is the task's new round.
      return {
        status: "changes_requested",
        text: (
          <>
            {str(after.round) ? <>opened round {str(after.round)}</> : "sent the task back"}
            {str(after.version) ? <>: changes requested on output v{str(after.version)}</> : null}
          </>
        ),
      };
    case "task.woken":
      return {
        status: "in_progress",
        text: (
          <>
            woke {str(after.agent) ?? "the agent"}: {wakeKind(after.kind)}
            {str(after.causedBy) ? <> by {str(after.causedBy)}</> : null}
          </>
        ),
        note: str(after.reason),
      };
    case "task.wake_suppressed":
      return {
        status: "blocked",
        text: (
          <>
            held a wake of {str(after.agent) ?? "the agent"} by the loop guard{str(after.guard) ? <>: {str(after.guard)}</> : null}
          </>
        ),
        note: str(after.reason),
      };
    case "task.wake_dropped":
      return {
        status: "cancelled",
        text: (
          <>
            dropped a wake of {str(after.agent) ?? "the agent"}
            {str(after.why) ? <>: {str(after.why)}</> : ": nothing left to do"}
          </>
        ),
        note: str(after.reason),
      };
    case "task.lease_expired":
      return { status: "blocked", text: "lease ran out: no heartbeat from the agent" };
    case "task.requeued":
      return { status: "pending", text: "put the task back in the queue" };
    case "task.escalated":
      return { status: "blocked", text: "escalated the task to a person", note: str(after.reason) };
    case "task.updated_from_file":
    case "instruction.updated_from_file":
    case "message.updated_from_file":
      return { status: "pending", text: `updated the ${kind} from its file in Agent_Memory` };
    case "output.submitted":
      return {
        status: "pending_review",
        text: (
          <>
            submitted output v{str(after.version) ?? "?"}
            {str(after.stepPosition) ? <> at step {str(after.stepPosition)}</> : null}
          </>
        ),
      };
    case "output.approved":
      return { status: "approved", text: <>approved output v{str(after.version) ?? "?"}</> };
    case "output.changes_requested":
      return { status: "changes_requested", text: <>requested changes on output v{str(after.version) ?? "?"}</> };
    case "message.sent":
      return {
        status: "pending",
        text: (
          <>
            sent a {(str(after.type) ?? "message").replace(/_/g, " ")} to {str(after.to) ?? "an inbox"}
          </>
        ),
      };
    case "message.marked":
      return { status: "pending", text: <>marked a message {after.archived ? "archived" : after.read ? "read" : "unread"}</> };
    case "instruction.created":
      return { status: "routing", text: <>created the instruction {str(after.title) ? <q>{str(after.title)}</q> : null}</> };
    case "instruction.phase_changed":
      return {
        status: str(after.phase) ?? "pending",
        text: (
          <>
            moved the instruction from {str(before.phase)} to {str(after.phase)}
          </>
        ),
      };
    case "instruction.updated":
      return { status: "pending", text: "edited the instruction" };
    case "run.queued":
      return {
        status: "pending",
        text: (
          <>
            queued a run of {str(after.agent) ?? "the agent"}
            {after.trigger === "wake" ? ", woken" : after.trigger === "retry" ? " (retry)" : null}
            {typeof after.round === "number" && after.round > 1 ? <> · round {after.round}</> : null}
          </>
        ),
        note: after.trigger === "wake" ? str(after.wakeReason) : null,
      };
    case "run.started":
      return { status: "in_progress", text: "started a run of the agent" };
    case "run.finished":
      return {
        status: after.status === "succeeded" ? "done" : after.status === "cancelled" ? "cancelled" : "failed",
        text: (
          <>
            run finished: {str(after.status) ?? "ended"}
            {str(after.exitCode) ? <> (exit {str(after.exitCode)})</> : null}
          </>
        ),
      };
    case "run.cancel_requested":
      return { status: "cancelled", text: "asked the run to stop" };
    case "bridge.conflict":
      return { status: "blocked", text: "found a conflict between a file and the dashboard", note: str(after.rule) };
    case "agent.added":
      return { status: "pending", text: <>added the agent {e.entityId}</> };
  }
  if (e.verb === "step.activity") {
    const tool = str(after.tool) ?? "a tool";
    return {
      status: "in_progress",
      text: (
        <>
          used {tool} on step {str(after.position) ?? e.entityId.split("#")[1] ?? "?"}
        </>
      ),
      note: str(after.summary),
    };
  }
  if (kind === "step") {
    const pos = str(after.position) ?? e.entityId.split("#")[1] ?? "?";
    const title = str(after.title);
    const words: Record<string, string> = { in_progress: "started", done: "finished", skipped: "skipped", blocked: "is blocked on" };
    const same = before.status === after.status;
    return {
      status: str(after.status) ?? action,
      text: (
        <>
          {same ? "noted on" : (words[action] ?? action)} step {pos}
          {title ? <> · {title}</> : null}
        </>
      ),
      note: str(after.note),
    };
  }
  return { status: "pending", text: e.verb.replace(/[._]/g, " ") };
}

/**
 * One line of a timeline or activity feed: icon, who, what, (which task), when, and the note as
 * plain text. `showTask` links the task id (for feeds that mix tasks).
 */
export function EventLine({ event, showTask, className }: { event: EventDto; showTask?: boolean; className?: string }) {
  const d = describeEvent(event);
  return (
    <li className={cn("flex gap-2.5 py-1.5 text-sm", className)} data-event-id={event.id}>
      <StatusIcon status={d.status} className="mt-0.5 size-3.5 animate-none" />
      <div className="min-w-0 flex-1">
        <p className="leading-5">
          <span className="font-medium">{event.actor.id}</span> <span className="text-foreground/90">{d.text}</span>
          {showTask && event.taskId && (
            <>
              {" "}
              <Link href={hrefs.task(event.taskId)} className="text-muted-foreground hover:text-foreground hover:underline">
                <Mono className="text-xs">{event.taskId}</Mono>
              </Link>
            </>
          )}
          {showTask && !event.taskId && event.instructionId && (
            <>
              {" "}
              <Link href={hrefs.instruction(event.instructionId)} className="text-muted-foreground hover:text-foreground hover:underline">
                <Mono className="text-xs">{event.instructionId}</Mono>
              </Link>
            </>
          )}
        </p>
        {d.note && <p className="mt-0.5 line-clamp-3 text-xs whitespace-pre-wrap text-muted-foreground">{d.note}</p>}
      </div>
      <RelativeTime date={event.at} className="mt-0.5 shrink-0 text-xs text-muted-foreground" />
    </li>
  );
}
