import "server-only";
import type { ServiceContext } from "@/lib/services";
import type { EventDto } from "@/lib/services/dto";
import { activeRunsOfTask, createAgentRun, createRun, listAgentRunsActive } from "@/lib/services/runs";
import { dependentsReady, messageForWake, pendingWakes, recordWake, settleWakes, taskForWake, type WakeLimits } from "@/lib/services/wakes";
import { actionMessageTypes, PEOPLE_INBOX, type WakeKind } from "@/lib/domain/vocabulary";
import type { WakeRow } from "@/db/schema";
import type { Logger } from "@/lib/log";
import type { RunnerResolution } from "./config";
import { previewCommand } from "./presets";

const isAction = (type: string) => (actionMessageTypes as readonly string[]).includes(type);
const openStatus = (s: string) => s === "pending" || s === "in_progress" || s === "blocked";

export interface WakeHost {
  ctx: ServiceContext;
  log: Logger;
  resolve(agent: string): RunnerResolution;
  settings(): { delayMs: number } & WakeLimits;
  /** Called when pending wakes will be ripe in `ms`. */
  later(ms: number): void;
}

/**
 * Wakes (docs/runners.md): the supervisor hands every event to `observe`, which records a wake
 * when it should start an agent again; `dispatch` (each tick) turns wakes that waited out the
 * coalescing window into runs, one per agent and task, never beside an active run of that task.
 */
export class WakeDispatcher {
  constructor(private host: WakeHost) {}

  /** Agents whose runner allows wakes (autoResume). */
  private wakeable(agent: string): boolean {
    const r = this.host.resolve(agent);
    return r.ok && r.runner.autoResume;
  }

  private record(e: EventDto, w: { agent: string; taskId: string | null; kind: WakeKind; reason: string; causedBy: string; fromAgent?: string | null; messageId?: string | null }) {
    if (!this.wakeable(w.agent)) return;
    const row = recordWake(this.host.ctx, { ...w, fromAgent: w.fromAgent ?? null, messageId: w.messageId ?? null, sourceEventId: e.id }, this.host.settings());
    if (row) this.host.log.info({ wakeId: row.id, agent: w.agent, taskId: w.taskId, kind: w.kind, status: row.status }, "agent woken");
  }

  observe(e: EventDto) {
    if (e.verb === "task.changes_requested" && e.taskId) {
      const after = (e.after ?? {}) as { version?: number; reviewer?: string; round?: number };
      const task = taskForWake(this.host.ctx, e.taskId);
      if (!task) return;
      this.record(e, {
        agent: task.assignedAgent,
        taskId: task.id,
        kind: "changes_requested",
        reason: `changes requested by ${after.reviewer ?? e.actor.id} on v${after.version ?? "?"} (round ${after.round ?? task.round} opened)`,
        causedBy: after.reviewer ?? e.actor.id,
      });
    } else if (e.verb === "message.sent") {
      this.onMessage(e);
    } else if (e.verb === "task.completed" && e.taskId) {
      for (const d of dependentsReady(this.host.ctx, e.taskId)) {
        const done = taskForWake(this.host.ctx, e.taskId);
        this.record(e, { agent: d.assignedAgent, taskId: d.id, kind: "dependency", reason: `its last unfinished dependency ${done?.ref ?? e.taskId} completed`, causedBy: e.actor.id });
      }
    }
  }

  private onMessage(e: EventDto) {
    // Most messages (status updates, notes to the people) wake nobody: decided from the event alone.
    const said = (e.after ?? {}) as { to?: string; type?: string; inReplyTo?: string | null };
    if (said.to === PEOPLE_INBOX || (!said.inReplyTo && !isAction(said.type ?? ""))) return;
    if (said.to && !this.wakeable(said.to)) return;
    const m = messageForWake(this.host.ctx, e.entityId);
    if (!m || m.toInbox === PEOPLE_INBOX) return;
    const from = m.fromKind === "agent" ? m.fromName : e.actor.id;
    const fromAgent = m.fromKind === "agent" ? m.fromName : null;
    if (fromAgent === m.toInbox) return; // a note to oneself wakes nobody
    const ownTask = m.task && m.task.assignedAgent === m.toInbox ? m.task : null;
    // 2. An answer on a thread of the recipient's task (it asked; the task waits, blocked or not).
    if (ownTask && m.inReplyTo && m.recipientAsked && openStatus(ownTask.status)) {
      this.record(e, { agent: m.toInbox, taskId: ownTask.id, kind: "answer", reason: `${from} answered (${m.type}): ${m.subject || "(no subject)"}`, causedBy: from, fromAgent, messageId: m.id });
      return;
    }
    // 3. A message asking for action: on the recipient's own task if it names one, else a run without a task.
    if (isAction(m.type)) {
      if (ownTask && !openStatus(ownTask.status)) return;
      this.record(e, {
        agent: m.toInbox,
        taskId: ownTask?.id ?? null,
        kind: "message",
        reason: `${from} sent a ${m.type.replace(/_/g, " ")}: ${m.subject || "(no subject)"}`,
        causedBy: from,
        fromAgent,
        messageId: m.id,
      });
    }
  }

  /** Turns ripe wakes into runs. */
  dispatch(now = Date.now()) {
    const { delayMs } = this.host.settings();
    const groups = new Map<string, WakeRow[]>();
    for (const w of pendingWakes(this.host.ctx)) {
      const key = `${w.agentName}\u0000${w.taskId ?? ""}`;
      groups.set(key, [...(groups.get(key) ?? []), w]);
    }
    let soonest = Infinity;
    for (const ws of groups.values()) {
      const newest = Math.max(...ws.map((w) => w.createdAt));
      // Several events in a short window make one run: wait until the newest is delayMs old.
      if (now - newest < delayMs) {
        soonest = Math.min(soonest, newest + delayMs - now);
        continue;
      }
      try {
        this.dispatchGroup(ws);
      } catch (err) {
        this.host.log.error({ err, wakes: ws.map((w) => w.id) }, "could not turn wakes into a run");
      }
    }
    if (soonest !== Infinity) this.host.later(soonest + 5);
  }

  private dispatchGroup(ws: WakeRow[]) {
    const { ctx } = this.host;
    const agent = ws[0].agentName;
    const taskId = ws[0].taskId;
    const ids = ws.map((w) => w.id);
    const reason = ws.map((w) => w.reason).join("\n");
    const r = this.host.resolve(agent);
    if (!r.ok || !r.runner.autoResume) return settleWakes(ctx, { ids, status: "dropped", why: r.ok ? "the runner does not resume (autoResume is off)" : r.reason });
    const command = previewCommand(r.runner);
    if (taskId) {
      const task = taskForWake(ctx, taskId);
      if (!task || task.assignedAgent !== agent || !openStatus(task.status)) {
        return settleWakes(ctx, {
          ids,
          status: "dropped",
          why: !task ? "the task is gone" : task.assignedAgent !== agent ? `the task is now ${task.assignedAgent}'s` : `the task is ${task.status.replace("_", " ")}`,
        });
      }
      const active = activeRunsOfTask(ctx, taskId);
      const queued = active.find((a) => a.status === "queued");
      if (queued) return settleWakes(ctx, { ids, status: "consumed", runId: queued.id, appendReason: true });
      if (active.length) return; // running: the wakes wait for it to end
      const run = createRun(ctx, { taskId, preset: r.runner.preset, command, trigger: "wake", wakeReason: reason });
      return settleWakes(ctx, { ids, status: "consumed", runId: run.id });
    }
    const active = listAgentRunsActive(ctx, agent);
    const queued = active.find((a) => a.status === "queued");
    if (queued) return settleWakes(ctx, { ids, status: "consumed", runId: queued.id, appendReason: true });
    if (active.length) return;
    const run = createAgentRun(ctx, { agent, preset: r.runner.preset, command, wakeReason: reason });
    settleWakes(ctx, { ids, status: "consumed", runId: run.id });
  }
}
