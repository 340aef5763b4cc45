import "server-only";
import { eq } from "drizzle-orm";
import { outputs, tasks } from "@/db/schema";
import type { Tx } from "../context";
import { notFound } from "../errors";
import { assertOutputMove } from "./transitions";

/** The output a person reviews and its task; refused (by the output machine) unless it waits for review. */
export function loadReviewable(tx: Tx, outputId: string, decision: "approved" | "changes_requested") {
  const output = tx.select().from(outputs).where(eq(outputs.id, outputId)).get();
  if (!output) throw notFound("Output", outputId);
  assertOutputMove(output, decision);
  const task = tx.select().from(tasks).where(eq(tasks.id, output.taskId)).get()!;
  return { output, task };
}
