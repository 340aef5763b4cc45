import "server-only";
import { z } from "zod";
import { eq } from "drizzle-orm";
import { agents, type TaskStatus } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import type { Tx } from "../context";
import type { EventInput } from "../events";
import { ServiceError } from "../errors";

/** Who the folder bridge acts as when nobody else is named. */
export const FOLDER_BRIDGE: Actor = { kind: "system", name: "folder-bridge" };

/** Assigned to tasks whose file says `assigned_agent: null` ("route it"): an inactive agent row. */
export const UNASSIGNED_AGENT = "unassigned";

/** Protocol agent names once normalised: lower case, hyphenated (`tech_lead` → `tech-lead`). */
export const PROTOCOL_AGENT_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;
export const TASK_REF_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const INSTRUCTION_ID_PATTERN = /^inst_[A-Za-z0-9][A-Za-z0-9_.-]{0,59}$/;
export const MESSAGE_ID_PATTERN = /^msg_[a-z0-9]{8,40}$/;

export const AgentNameInput = z.string().regex(PROTOCOL_AGENT_PATTERN, "An agent name is lower case letters, digits and '-'");
export const SourcePathInput = z
  .string()
  .min(1)
  .max(1000)
  .refine((p) => !p.includes("\0") && !p.startsWith("/") && !p.split("/").some((s) => s === ".." || s === "."), "A relative path inside the root");

/** The bridge imports for the system or an admin; agents and reviewers use the ordinary verbs. */
export function requireBridge(actor: Actor): void {
  if (actor.kind === "system") return;
  if (actor.kind === "person" && actor.role === "admin") return;
  throw new ServiceError("forbidden", "Only the folder bridge or an admin imports Agent_Memory files");
}

/** The protocol folder a task status lives in (`in_review` waits in completed/, `cancelled` has its own). */
export function taskFolderOf(status: TaskStatus): "pending" | "in_progress" | "blocked" | "completed" | "cancelled" {
  switch (status) {
    case "in_review":
      return "completed";
    default:
      return status;
  }
}

export type Emit = (e: EventInput) => number;

/**
 * Makes sure an agent row exists for a name met in a file (so tasks can reference it and replies can
 * reach its inbox). Unknown names get an inactive row: no definition file exists for them, so they
 * cannot claim work through the API, but history and inboxes resolve. Recorded as `agent.added`.
 */
export function ensureAgentRow(tx: Tx, emit: Emit, at: number, name: string, eventIds: number[]): void {
  if (!PROTOCOL_AGENT_PATTERN.test(name)) throw new ServiceError("validation_failed", `Unusable agent name ${JSON.stringify(name)}`);
  const row = tx.select({ name: agents.name }).from(agents).where(eq(agents.name, name)).get();
  if (row) return;
  tx.insert(agents)
    .values({
      name,
      description: name === UNASSIGNED_AGENT ? "Placeholder for tasks whose file names no agent (assigned_agent: null)" : "Named in Agent_Memory files; no definition file",
      active: false,
      syncedAt: at,
      createdAt: at,
    })
    .run();
  eventIds.push(emit({ verb: "agent.added", entityKind: "agent", entityId: name, after: { active: false, source: "folder" } }));
}

/** Stable JSON for change detection (key order as given: documents parsed from the same text compare equal). */
export const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export type ImportOutcome = "created" | "updated" | "unchanged";

/**
 * The file as stored, unless the file read now differs from it only by keys an export adds for the
 * round trip (`message_id`, `thread_id`, `created_at`...), which say nothing new: re-importing an
 * exported file then changes nothing.
 */
export function keptOriginal(stored: Record<string, unknown> | null | undefined, read: Record<string, unknown>, roundTripKeys: readonly string[]): Record<string, unknown> {
  if (!stored) return read;
  const trimmed = Object.fromEntries(Object.entries(read).filter(([k]) => k in stored || !roundTripKeys.includes(k)));
  return same(trimmed, stored) ? stored : read;
}
