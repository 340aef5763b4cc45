import "server-only";
export type Role = "admin" | "reviewer" | "viewer";

/** Who is acting. Every service call carries one; authorisation is decided from it. */
export type Actor = { kind: "person"; id: string; email: string; name: string; role: Role } | { kind: "agent"; name: string; tokenId?: string } | { kind: "system"; name: string };

export function actorId(actor: Actor): string {
  switch (actor.kind) {
    case "person":
      return actor.email;
    case "agent":
      return actor.name;
    case "system":
      return `system:${actor.name}`;
  }
}

export const systemActor = (name = "agentdesk"): Actor => ({ kind: "system", name });
