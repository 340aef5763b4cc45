import "server-only";
import type { Db } from "@/db/client";
import type { Actor } from "@/lib/auth/actor";
import type { ServiceContext } from "@/lib/services";

/** What every API handler finds on the Hono context. */
export type ApiEnv = {
  Variables: {
    requestId: string;
    db: Db;
    /** Set by requireActor on /api/v1/*, /api/events and /api/mcp. */
    actor: Actor;
    /** The service context for this request's actor: pass it to every service verb. */
    ctx: ServiceContext;
  };
};
