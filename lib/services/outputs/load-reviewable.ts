import "server-only";
import { desc, eq } from "drizzle-orm";
import { outputs, tasks } from "@/db/schema";
import type { Tx } from "../context";
import { notFound, ServiceError } from "../errors";
import { assertOutputMove } from "./transitions";

/**
 * The output a person reviews and its task. A review decision (approve or request changes) is taken
 * on a version waiting for review (the output machine), of a task in review (the agent has handed it
 * in: a decision taken while it still works would leave it in review with nothing to review once it
 * completes), and on the task's latest version. Anything else is refused with why (docs/task-rules.md).
 */
export function loadReviewable(tx: Tx, outputId: string, decision: "approved" | "changes_requested") {
  const output = tx.select().from(outputs).where(eq(outputs.id, outputId)).get();
  if (!output) throw notFound("Output", outputId);
  assertOutputMove(output, decision);
  const task = tx.select().from(tasks).where(eq(tasks.id, output.taskId)).get()!;
  const verb = decision === "approved" ? "approved" : "sent back";
  if (task.status !== "in_review") {
    throw new ServiceError(
      "illegal_transition",
      task.status === "in_progress" || task.status === "blocked" || task.status === "pending"
        ? `Task ${task.id} is ${task.status.replace("_", " ")}: v${output.version} can be ${verb} once its agent completes the task and hands it in for review`
        : `Task ${task.id} is ${task.status}: its outputs can no longer be reviewed`,
      { details: { taskStatus: task.status, outputId: output.id, version: output.version } },
    );
  }
  const latest = tx.select({ id: outputs.id, version: outputs.version }).from(outputs).where(eq(outputs.taskId, task.id)).orderBy(desc(outputs.version)).limit(1).get()!;
  if (latest.id !== output.id) {
    throw new ServiceError("illegal_transition", `Output ${output.id} is v${output.version}, not the latest version of task ${task.id} (v${latest.version}): review the latest one`, {
      details: { version: output.version, latestVersion: latest.version, latestId: latest.id },
    });
  }
  return { output, task };
}
