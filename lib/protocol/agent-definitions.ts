import "server-only";
import type { Db } from "@/db/client";
import { agentDirsFromEnv, formatAgentProblem, loadAgentDefinitions } from "@/lib/agents";
import type { Actor } from "@/lib/auth/actor";
import { syncAgents } from "@/lib/services";
import { FOLDER_BRIDGE } from "@/lib/services/protocol";

export interface AgentDefinitionsSync {
  /** The folders read (AGENTS_DIR, else ./agents, as the server reads them). */
  dirs: string[];
  loaded: number;
  /** One line per problem (formatAgentProblem): files skipped, warnings. */
  problems: string[];
  /** What syncAgents did; null when nothing was loaded and the table was left alone. */
  synced: ReturnType<typeof syncAgents> | null;
}

/**
 * Loads the agent definitions and syncs them into the agents table, as the server does when it
 * starts: `agentdesk import` and `agentdesk sync` run it first, so imported tasks get their agent's
 * steps even when the server never ran on this database. When no definition loads (AGENTS_DIR
 * unset and no ./agents here, say) the table is left alone: syncing nothing would mark every
 * agent inactive.
 */
export function syncAgentDefinitions(db: Db, dirs: string[] = agentDirsFromEnv(), actor: Actor = FOLDER_BRIDGE): AgentDefinitionsSync {
  const { agents, problems } = loadAgentDefinitions(dirs);
  const lines = problems.map(formatAgentProblem);
  if (agents.length === 0) return { dirs, loaded: 0, problems: lines, synced: null };
  return { dirs, loaded: agents.length, problems: lines, synced: syncAgents({ db, actor }, agents, { roots: dirs }) };
}
