import "server-only";
import { z } from "zod";
import { eq } from "drizzle-orm";
import { tasks, taskStatuses } from "@/db/schema";
import type { ServiceContext } from "../context";
import { notFound, ServiceError } from "../errors";
import { requirePerson } from "../policy";
import { multiLineText, parseInput } from "../validate";
import { blockTask } from "./block-task";
import { unblockTask } from "./unblock-task";
import { cancelTask } from "./cancel-task";

export const MoveTaskInput = z.strictObject({
  taskId: z.string().min(1),
  to: z.enum(taskStatuses),
  reason: multiLineText(5000).optional(),
});

/**
 * A person dragging a card on the board. Only moves a person may make are carried out, by the verb
 * that owns them (cancel, block, unblock), so the board cannot bypass a rule of those verbs; every
 * other move is refused with the reason, so the board can explain itself (docs/task-rules.md).
 */
export function moveTask(ctx: ServiceContext, raw: z.input<typeof MoveTaskInput>) {
  requirePerson(ctx.actor);
  const input = parseInput(MoveTaskInput, raw);
  const task = ctx.db.select({ status: tasks.status }).from(tasks).where(eq(tasks.id, input.taskId)).get();
  if (!task) throw notFound("Task", input.taskId);
  const from = task.status;
  const to = input.to;
  const refuse = (why: string) => {
    throw new ServiceError("illegal_transition", why, { details: { from, to } });
  };
  if (from === to) refuse(`The task is already ${from.replace("_", " ")}`);
  if (from === "completed" || from === "cancelled") refuse(`A ${from} task is final and cannot move`);
  if (to === "cancelled") return cancelTask(ctx, { taskId: input.taskId, reason: input.reason });
  if (to === "blocked") {
    if (from !== "in_progress") refuse(`Only a task in progress can be blocked; this one is ${from.replace("_", " ")}`);
    if (!input.reason?.trim()) throw new ServiceError("validation_failed", "Say why the task is blocked", { fields: { reason: ["Required"] } });
    return blockTask(ctx, { taskId: input.taskId, reason: input.reason, blockerType: "other" });
  }
  if (to === "in_progress" && from === "blocked") return unblockTask(ctx, { taskId: input.taskId, note: input.reason });
  if (to === "in_progress" && from === "pending") refuse("A pending task starts when its agent claims it; it cannot be started from the board");
  if (to === "completed" && from === "in_review") refuse("A task in review completes when its output is approved: open it in the review queue");
  if (to === "completed") refuse(`Only the agent can finish a task that is ${from.replace("_", " ")}; a person completes it by approving its output`);
  if (from === "in_review") refuse("A task in review goes back to its agent when a reviewer requests changes on its output: open it in the review queue");
  if (to === "in_review") refuse("A task goes to review when its agent completes it with a new version of its output");
  if (to === "pending") refuse("A task returns to pending when it is reassigned, its lease runs out, or changes are requested on its output");
  return refuse(`A task cannot move from ${from} to ${to}`);
}
