import "server-only";
import type { Actor } from "@/lib/auth/actor";
import { notFound, ServiceError } from "./errors";

/**
 * Authorisation lives here, in the service layer, so that no transport (REST, MCP, pages, CLI,
 * folder bridge) can skip it: viewers read only; reviewers and admins change work; an agent acts
 * only on the tasks assigned to it and reads only its own inbox.
 */
export function requirePerson(actor: Actor, minRole: "reviewer" | "admin" = "reviewer"): void {
  if (actor.kind === "system") return;
  if (actor.kind !== "person") throw new ServiceError("forbidden", "Only a person may do this");
  if (actor.role === "viewer") throw new ServiceError("forbidden", "Viewers have read-only access");
  if (minRole === "admin" && actor.role !== "admin") throw new ServiceError("forbidden", "Only an admin may do this");
}

export function requireWriter(actor: Actor): void {
  if (actor.kind === "person" && actor.role === "viewer") {
    throw new ServiceError("forbidden", "Viewers have read-only access");
  }
}

/**
 * An agent may only touch its own task; people with write access and the system may touch any.
 * Another agent's task is "not found" in the very words of a task that is not there (docs/api.md):
 * the answer must not tell an agent which ids exist.
 */
export function requireTaskAccess(actor: Actor, task: { id: string; assignedAgent: string }, write: boolean): void {
  if (actor.kind === "agent") {
    if (actor.name !== task.assignedAgent) throw notFound("Task", task.id);
    return;
  }
  if (write) requireWriter(actor);
}

export function requireInboxAccess(actor: Actor, inbox: string): void {
  if (actor.kind === "agent" && actor.name !== inbox) {
    throw new ServiceError("forbidden", `Agent ${actor.name} may not read the inbox of ${inbox}`);
  }
}
