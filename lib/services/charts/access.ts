import "server-only";
import type { Actor } from "@/lib/auth/actor";
import { ServiceError } from "../errors";

/**
 * The pictures of the work are the people's pages: any person may read them (viewers included), an
 * agent only its own agent page's (`agent`), never the overview's (`agent` null), as for usage.
 */
export function requireChartReader(actor: Actor, agent: string | null): void {
  if (actor.kind !== "agent") return;
  if (agent === null) throw new ServiceError("forbidden", "Only people may read the charts of every agent's work");
  if (actor.name !== agent) throw new ServiceError("forbidden", `Agent ${actor.name} may not read the charts of ${agent}`);
}
