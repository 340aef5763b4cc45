import path from "node:path";
import type { Db } from "@/db/client";
import { loadAgentDefinitions } from "@/lib/agents";
import { parseAgentDefinition } from "@/lib/agents/parse";
import { syncAgents } from "@/lib/services";
import { system } from "./db";

/**
 * Agent definitions with narrower Memory Ownership sections than the repository's, for the tests of
 * docs/permissions.md. Each is synced next to agents/*.md (a sync marks absent definitions inactive).
 */
export function definitionText(name: string, memory: { reads?: string[]; writes?: string[] } | null): string {
  const section =
    memory === null
      ? ""
      : [
          "## Memory Ownership",
          "",
          ...(memory.reads ? ["### Reads", ...memory.reads.map((p) => `- \`${p}\``), ""] : []),
          ...(memory.writes ? ["### Writes", ...memory.writes.map((p) => `- \`${p}\``), ""] : []),
        ].join("\n");
  return `---
name: ${name}
description: "A test agent (${name})"
---

# ${name}

## Response Approach

1. **Read** - Read the task
2. **Do** - Do it
3. **Report** - Say what was done

${section}
`;
}

export const NARROW_AGENTS = {
  /** Works on tasks, hands in outputs, sends to frontend-developer only (and the people). */
  "narrow-sender": {
    reads: ["Agent_Memory/{instruction_id}/tasks/", "Agent_Memory/_communication/inbox/narrow-sender/"],
    writes: ["Agent_Memory/{instruction_id}/outputs/partial/", "Agent_Memory/_communication/inbox/frontend-developer/"],
  },
  /** Reviews only: no tasks pattern, no outputs pattern, no inbox in Writes; its Reads name another inbox. */
  "reviewer-only": {
    reads: ["Agent_Memory/_communication/inbox/reviewer-only/", "Agent_Memory/_communication/inbox/backend-developer/", "Agent_Memory/{instruction_id}/outputs/partial/"],
    writes: ["Agent_Memory/{instruction_id}/reviews/"],
  },
  /** Works on tasks and hands in outputs, but does not write to inboxes or post broadcasts via Writes' inbox. */
  "quiet-worker": {
    reads: ["Agent_Memory/{instruction_id}/tasks/"],
    writes: ["Agent_Memory/{instruction_id}/outputs/"],
  },
} as const;

/** Syncs agents/*.md plus the given extra definitions (name → Memory Ownership, or null: no section). */
export function syncWithAgents(db: Db, extra: Record<string, { reads?: readonly string[]; writes?: readonly string[] } | null>) {
  const { agents } = loadAgentDefinitions([path.join(process.cwd(), "agents")]);
  const defs = Object.entries(extra).map(([name, memory]) => {
    const r = parseAgentDefinition(
      definitionText(name, memory && { reads: memory.reads ? [...memory.reads] : undefined, writes: memory.writes ? [...memory.writes] : undefined }),
      `agents/${name}.md`,
    );
    if (!r.definition) throw new Error(`fixture ${name}: ${JSON.stringify(r.problems)}`);
    return r.definition;
  });
  return syncAgents({ db, actor: system }, [...agents, ...defs], { roots: [process.cwd()] });
}
