"use client";
import { useRefreshOn } from "@/lib/queries/refresh";
import type { ChangeEvent } from "@/lib/queries/live";

/**
 * Drop into a server-rendered page to keep it live: it refreshes the page's server data when an
 * event of one of `kinds` arrives (all events when omitted), optionally only for one task /
 * instruction / agent.
 */
export function RefreshOnEvents({
  kinds,
  taskId,
  instructionId,
  agent,
}: {
  kinds?: string[];
  taskId?: string;
  instructionId?: string;
  agent?: string;
}) {
  useRefreshOn((e: ChangeEvent) => {
    if (kinds && !kinds.includes(e.entityKind)) return false;
    if (taskId && e.taskId !== taskId) return false;
    if (instructionId && e.instructionId !== instructionId) return false;
    if (agent && e.actor.id !== agent && e.inbox !== agent && e.entityKind !== "task" && e.entityKind !== "step") return false;
    return true;
  });
  return null;
}
