import "server-only";
import { z } from "zod";
import type { Db } from "@/db/client";
import { DEFAULT_TIER, MAX_TIER, MIN_TIER } from "@/lib/domain/vocabulary";
import { immediateTx, nowOf, type ServiceContext } from "../context";
import { notifyCommit } from "../events";
import { isServiceError, ServiceError } from "../errors";
import { requirePerson } from "../policy";
import { hasVisibleText, multiLineText, parseInput } from "../validate";
import { createInstruction } from "../instructions/create-instruction";
import { createTask, CreateTaskInput } from "./create-task";

const TITLE_MAX = 200;

export const AssignInput = CreateTaskInput.omit({ instructionId: true, ref: true, title: true, description: true }).extend({
  /** What is needed: its first line becomes the title, the rest the description (markdown). */
  text: multiLineText(100_000, "Say what is needed").refine(hasVisibleText, "Say what is needed"),
  /** The instruction the task joins; left out (or null): a new instruction is made from the same text. */
  instructionId: z.string().min(1).nullable().optional(),
  /** The new instruction's complexity tier (only when no instruction is given). */
  tier: z.number().int().min(MIN_TIER).max(MAX_TIER).optional(),
});
export type AssignInput = z.input<typeof AssignInput>;

/**
 * "What is needed" as a title (its first line with visible text, blanks collapsed, cut at 200
 * characters with an ellipsis) and the rest as the description. A first line cut short is kept
 * whole at the top of the description, so nothing typed is lost.
 */
export function splitText(text: string): { title: string; description: string } {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const at = lines.findIndex(hasVisibleText);
  const first = (lines[at] ?? "")
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  const rest = lines
    .slice(at + 1)
    .join("\n")
    .trim();
  if (first.length <= TITLE_MAX) return { title: first, description: rest };
  return { title: `${first.slice(0, TITLE_MAX - 1).trimEnd()}…`, description: [lines[at].trim(), rest].filter(Boolean).join("\n\n") };
}

/** A field error of the inner verbs on the title or body is an error on what the person typed. */
function onText(err: unknown): unknown {
  if (!isServiceError(err) || !err.fields) return err;
  const fields: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(err.fields)) {
    const key = k === "title" || k === "body" || k === "description" ? "text" : k;
    fields[key] = [...(fields[key] ?? []), ...v];
  }
  return new ServiceError(err.code, err.message, { fields, details: err.details });
}

/**
 * Assign in one move: a task for an agent from what is needed, in the given instruction or in a new
 * one made from the same text (title from its first line). One transaction: createInstruction and
 * createTask run inside it as savepoints with their own checks (people with write access; the
 * agent must exist and may take the instruction's tasks, Memory Ownership: 422 on assignedAgent),
 * so a refusal anywhere writes nothing, and their events are told to the live stream once, after
 * the commit.
 */
export function assignWork(ctx: ServiceContext, raw: AssignInput) {
  requirePerson(ctx.actor);
  const { text, instructionId, tier, ...task } = parseInput(AssignInput, raw);
  if (instructionId && tier !== undefined) {
    throw new ServiceError("validation_failed", "A tier is set on a new instruction only", { fields: { tier: ["Only when no instruction is chosen"] } });
  }
  const { title, description } = splitText(text);
  const at = nowOf(ctx);
  let lastEventId = 0;
  const result = immediateTx(ctx.db, (tx) => {
    const inner: ServiceContext = { db: tx as unknown as Db, actor: ctx.actor, now: () => at, onCommit: (id) => (lastEventId = Math.max(lastEventId, id)) };
    try {
      const instruction = instructionId ? null : createInstruction(inner, { title, body: description, tier: tier ?? DEFAULT_TIER, priority: task.priority });
      const created = createTask(inner, { ...task, instructionId: instruction?.id ?? instructionId!, title, description });
      return { task: created, instructionId: created.instructionId, instructionCreated: !!instruction };
    } catch (err) {
      throw onText(err);
    }
  });
  if (lastEventId) (ctx.onCommit ?? notifyCommit)(lastEventId);
  return result;
}
