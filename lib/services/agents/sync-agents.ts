import "server-only";
import fs from "node:fs";
import path from "node:path";
import { eq, notInArray } from "drizzle-orm";
import { agents, type AgentRow } from "@/db/schema";
import { packageRoot } from "@/lib/domain/install";
import type { AgentDefinition } from "@/lib/agents/definition";
import type { ServiceContext } from "../context";
import { writeTx } from "../write-tx";
import { giveStepsToWaitingTasks } from "../tasks/task-steps";

/** A definition as syncAgents takes it: `workflows` may be left out (no alternatives). */
export type SyncedDefinition = Omit<AgentDefinition, "workflows"> & Partial<Pick<AgentDefinition, "workflows">>;

function leaseMinutesFrom(extra: Record<string, unknown>): number | null {
  const v = extra.lease_minutes ?? extra.leaseMinutes;
  return typeof v === "number" && Number.isInteger(v) && v > 0 && v <= 24 * 60 ? v : null;
}

/**
 * The same file read into other steps or workflows: the parser changed (rows synced before workflows
 * were parsed hold one concatenated list), so the row is rewritten although the file is not.
 */
function parsedDifferently(before: Pick<AgentRow, "steps" | "extra">, values: Pick<AgentRow, "steps" | "extra">): boolean {
  return JSON.stringify(before.steps) !== JSON.stringify(values.steps) || JSON.stringify(before.extra?.workflows ?? null) !== JSON.stringify(values.extra.workflows ?? null);
}

/**
 * The agents folders as lib/agents/load.ts agentDirsFromEnv reads them (AGENTS_DIR, else ./agents,
 * else the installed package's own);
 * repeated here so that the service layer, which pages import, does not pull in the loader.
 */
function agentRoots(): string[] {
  const dirs = (process.env.AGENTS_DIR ?? "")
    .split(path.delimiter)
    .map((dir) => dir.trim())
    .filter((dir) => dir !== "")
    .map((dir) => path.resolve(dir));
  if (dirs.length > 0) return dirs;
  const local = path.join(process.cwd(), "agents");
  const root = packageRoot();
  return [root && !fs.existsSync(local) ? path.join(root, "agents") : local];
}

/**
 * Where a definition lives, as people and agents may see it: relative to the agents folder it was
 * loaded from ("backend-developer.md", "reviewer/SKILL.md"), never the server's absolute path. A file
 * outside every known folder is named by its folder and file name.
 */
export function definitionPath(sourcePath: string, roots: readonly string[] = agentRoots()): string {
  if (!path.isAbsolute(sourcePath)) return sourcePath;
  for (const root of roots) {
    const rel = path.relative(path.resolve(root), sourcePath);
    if (rel && !rel.startsWith("..") && !path.isAbsolute(rel)) return rel.split(path.sep).join("/");
  }
  return `${path.basename(path.dirname(sourcePath))}/${path.basename(sourcePath)}`;
}

/**
 * Brings the agents table in line with the definitions on disk: new ones inserted, changed ones
 * (by content hash) updated, vanished ones marked inactive (kept: tasks and messages name them).
 * Tasks keep the steps they were given; only new assignments see an edited Response Approach, with
 * one exception: when an agent gets steps for the first time (its definition appeared after tasks
 * named it, e.g. a folder imported before the definitions were synced), its pending tasks without
 * steps get them (`stepsGiven` counts those tasks).
 *
 * Alternative workflows (several numbered lists under sub-headings) are kept in the row's JSON
 * `extra` column as `extra.workflows` ([{name, steps}], only when there are two or more); `steps`
 * is the first workflow's. lib/services/tasks/task-steps.ts agentWorkflows reads them back.
 */
export function syncAgents(ctx: ServiceContext, definitions: SyncedDefinition[], opts: { roots?: readonly string[] } = {}) {
  const roots = opts.roots ?? agentRoots();
  return writeTx(ctx, (tx, at, emit) => {
    const existing = new Map(tx.select().from(agents).all().map((a) => [a.name, a]));
    const summary = { added: 0, updated: 0, deactivated: 0, unchanged: 0, stepsGiven: 0 };
    for (const d of definitions) {
      const values = {
        description: d.description ?? "",
        title: d.title,
        tier: d.tier,
        domain: d.domain,
        model: d.model,
        color: d.color,
        capabilities: d.capabilities,
        tools: d.tools,
        steps: d.steps,
        stepsSource: d.stepsSource,
        memory: d.memory,
        resources: d.resources,
        extra: d.workflows?.length ? { ...d.extra, workflows: d.workflows } : d.extra,
        body: d.body,
        sourcePath: definitionPath(d.sourcePath, roots),
        contentHash: d.contentHash,
        leaseMinutes: leaseMinutesFrom(d.extra),
        active: true,
        syncedAt: at,
      };
      const before = existing.get(d.name);
      if (!before) {
        tx.insert(agents).values({ name: d.name, createdAt: at, ...values }).run();
        emit({ verb: "agent.added", entityKind: "agent", entityId: d.name, after: { sourcePath: values.sourcePath, steps: d.steps.length } });
        summary.added++;
      } else if (before.contentHash !== d.contentHash || !before.active || before.sourcePath !== values.sourcePath || parsedDifferently(before, values)) {
        tx.update(agents).set(values).where(eq(agents.name, d.name)).run();
        emit({
          verb: "agent.updated",
          entityKind: "agent",
          entityId: d.name,
          before: { contentHash: before.contentHash, steps: before.steps.length, active: before.active },
          after: { contentHash: d.contentHash, steps: d.steps.length, active: true },
        });
        summary.updated++;
      } else {
        summary.unchanged++;
        continue;
      }
      if (!before?.steps.length) summary.stepsGiven += giveStepsToWaitingTasks(tx, { name: d.name, steps: d.steps }, emit).length;
    }
    const names = definitions.map((d) => d.name);
    const gone = tx
      .update(agents)
      .set({ active: false, syncedAt: at })
      .where(names.length ? notInArray(agents.name, names) : undefined)
      .returning({ name: agents.name, active: agents.active })
      .all();
    for (const g of gone) {
      if (existing.get(g.name)?.active) {
        emit({ verb: "agent.deactivated", entityKind: "agent", entityId: g.name, before: { active: true }, after: { active: false } });
        summary.deactivated++;
      }
    }
    return summary;
  });
}
