import "server-only";
import { and, eq, isNotNull, isNull, lt } from "drizzle-orm";
import { tasks } from "@/db/schema";
import type { ServiceContext } from "../context";
import { writeTx } from "../write-tx";
import { parseInput } from "../validate";
import { escalateToPeople, insertMessage, SendMessageInput, SYSTEM_SENDER } from "../messages/send-message";
import { transitionSteps } from "../steps/transitions";
import { transitionTask } from "./transitions";

export interface SweepOptions {
  /** How long after the lease ran out the task is taken back (default 10 minutes). */
  graceMs?: number;
  /** What happens then: back to pending for the next claim, or blocked and handed to a person. */
  onExpiry?: "requeue" | "escalate";
}

/**
 * Recovers work held by agents that went quiet. Only a task in progress has a running lease: a
 * blocked task waits for a person (or its agent) and the sweeper never touches it, nor its reason.
 * A lease that ran out marks the task stale (the dashboard derives that from the lease) and sends
 * the agent a `reminder`; after the grace period the task returns to pending with its steps under
 * way released (its lease token stays, so the old holder's late writes are refused once someone
 * claims it again) or is escalated to the people's inbox. Each step is an event.
 */
export function sweepLeases(ctx: ServiceContext, opts: SweepOptions = {}) {
  const graceMs = opts.graceMs ?? 10 * 60_000;
  const mode = opts.onExpiry ?? (process.env.AGENTDESK_LEASE_EXPIRY === "escalate" ? "escalate" : "requeue");
  return writeTx(ctx, (tx, at, emit) => {
    const held = eq(tasks.status, "in_progress");
    const toRemind = tx
      .select()
      .from(tasks)
      .where(and(held, isNotNull(tasks.leaseExpiresAt), lt(tasks.leaseExpiresAt, at), isNull(tasks.leaseRemindedAt)))
      .limit(500)
      .all();
    for (const t of toRemind) {
      const reminder = insertMessage(
        tx,
        ctx,
        at,
        emit,
        parseInput(SendMessageInput, {
          to: t.assignedAgent,
          type: "reminder",
          priority: "high",
          subject: `Still working on ${t.title}?`,
          body: `No sign of life on task ${t.id} since ${new Date(t.lastHeartbeatAt ?? t.claimedAt ?? at).toISOString()}. Send a heartbeat or a step update, or the task goes back to the queue in ${Math.round(graceMs / 60_000)} min.`,
          taskId: t.id,
        }),
        { from: SYSTEM_SENDER },
      );
      tx.update(tasks).set({ leaseRemindedAt: at }).where(eq(tasks.id, t.id)).run();
      emit({ verb: "task.lease_expired", entityKind: "task", entityId: t.id, taskId: t.id, instructionId: t.instructionId, after: { leaseToken: t.leaseToken, reminder: reminder.id } });
    }
    const toRecover = tx
      .select()
      .from(tasks)
      .where(and(held, isNotNull(tasks.leaseExpiresAt), lt(tasks.leaseExpiresAt, at - graceMs), isNotNull(tasks.leaseRemindedAt)))
      .limit(500)
      .all();
    for (const t of toRecover) {
      if (mode === "requeue") {
        const released = transitionSteps(tx, t.id, "release", at);
        transitionTask(tx, t, "pending", {
          at,
          emit,
          verb: "task.requeued",
          set: { leaseExpiresAt: null, leaseRemindedAt: null },
          before: { leaseToken: t.leaseToken },
          after: { reason: "lease expired", releasedSteps: released },
        });
      } else {
        const escalation = escalateToPeople(
          tx,
          ctx,
          at,
          emit,
          {
            subject: `${t.assignedAgent} stopped responding on ${t.title}`,
            body: `Task ${t.id} had no sign of life past its lease and grace period. Reassign it, or unblock it when the agent is back.`,
            taskId: t.id,
          },
          { from: SYSTEM_SENDER },
        );
        transitionTask(tx, t, "blocked", {
          at,
          emit,
          verb: "task.escalated",
          set: { blockedReason: "The agent stopped responding (lease expired)", blockerType: "other", leaseExpiresAt: null, leaseRemindedAt: null },
          after: { reason: "lease expired", message: escalation.id },
        });
      }
    }
    return { reminded: toRemind.length, recovered: toRecover.length, mode };
  });
}
