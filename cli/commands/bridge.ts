import type { Command } from "commander";
import type { Db } from "@/db/client";
import type { AgentDefinitionsSync, ExportSummary, ImportSummary, MirrorReport } from "@/lib/protocol";

/**
 * `agentdesk import DIR`, `agentdesk export DIR`, `agentdesk sync DIR`: the Agent_Memory folder
 * bridge on the database file (DATABASE_PATH). The database and the bridge are loaded only when one
 * of these runs. import and sync first load the agent definitions (AGENTS_DIR, else ./agents, as the
 * server does) so imported tasks get their agent's steps; --no-agents skips that. See docs/folder-bridge.md.
 */

type Globals = { json?: boolean };
const out = (s: string) => process.stdout.write(s.endsWith("\n") ? s : `${s}\n`);
const err = (s: string) => process.stderr.write(s.endsWith("\n") ? s : `${s}\n`);

export interface BridgeCommandDeps {
  /** Opens the database (default: openDatabase(defaultDatabasePath()) from db/client.ts). */
  openDb?: () => Promise<Db> | Db;
  /** The agents folders (default: agentDirsFromEnv(), AGENTS_DIR else ./agents). */
  agentDirs?: () => string[];
}

async function defaultOpen(): Promise<Db> {
  const { openDatabase, defaultDatabasePath } = await import("@/db/client");
  return openDatabase(defaultDatabasePath());
}

function printImport(s: ImportSummary) {
  out(`Imported ${s.root}: ${s.imported} new, ${s.updated} updated, ${s.unchanged} unchanged, ${s.skipped} skipped (${s.durationMs} ms)`);
  for (const [kind, c] of Object.entries(s.byKind)) {
    if (c.imported + c.updated + c.unchanged + c.skipped === 0) continue;
    out(`  ${kind.padEnd(12)} ${c.imported} new, ${c.updated} updated, ${c.unchanged} unchanged, ${c.skipped} skipped`);
  }
  for (const e of s.errors) err(`skipped ${e.path}: ${e.reason}`);
  for (const w of s.warnings) err(`warning ${w.path}: ${w.reason}`);
}

/** The agents loaded before an import or a mirror: one line on stdout, problems on stderr. */
function printAgents(a: AgentDefinitionsSync | null) {
  if (!a) return;
  for (const p of a.problems) err(`agent definition ${p}`);
  if (!a.synced) {
    err(`warning: no agent definition found in ${a.dirs.join(", ")} (set AGENTS_DIR): tasks get their agent's steps once the definitions are synced (when the server starts)`);
    return;
  }
  const s = a.synced;
  const given = s.stepsGiven ? `; ${s.stepsGiven} pending task${s.stepsGiven === 1 ? "" : "s"} given their steps` : "";
  out(`Agents from ${a.dirs.join(", ")}: ${a.loaded} loaded (${s.added} added, ${s.updated} updated, ${s.unchanged} unchanged, ${s.deactivated} deactivated${given})`);
}

function printExport(s: ExportSummary) {
  out(`Exported to ${s.root}: ${s.written} written, ${s.unchanged} unchanged, ${s.removed} stale task files removed (${s.durationMs} ms)`);
  for (const [kind, c] of Object.entries(s.byKind)) if (c.written + c.unchanged) out(`  ${kind.padEnd(12)} ${c.written} written, ${c.unchanged} unchanged`);
  for (const e of s.errors) err(`not written ${e.path}: ${e.reason}`);
}

export function registerBridgeCommands(program: Command, deps: BridgeCommandDeps = {}): void {
  const open = deps.openDb ?? defaultOpen;
  const syncDefinitions = (p: typeof import("@/lib/protocol"), db: Db, wanted: boolean | undefined) => (wanted === false ? null : p.syncAgentDefinitions(db, deps.agentDirs?.()));
  const json = (cmd: Command) => cmd.optsWithGlobals<Globals>().json === true;

  /** A one-shot import or export: its summary as JSON or text, exit code 1 when a file was not handled. */
  async function once<S extends { errors: unknown[] }>(cmd: Command, run: (p: typeof import("@/lib/protocol"), db: Db) => S, print: (s: S) => void, asJson: (s: S) => unknown = (s) => s) {
    const [p, db] = await Promise.all([import("@/lib/protocol"), open()]);
    try {
      const s = run(p, db);
      if (json(cmd)) out(JSON.stringify(asJson(s), null, 2));
      else print(s);
      if (s.errors.length) process.exitCode = 1;
    } finally {
      db.$engine.close();
    }
  }

  program
    .command("import")
    .description("Import an Agent_Memory folder (instructions, tasks, results, messages); unchanged files change nothing")
    .argument("<dir>", "the Agent_Memory folder")
    .option("--merge-collisions", "merge a folder into an existing instruction of the same id created at another time (default: skip it)")
    .option("--no-agents", "do not load the agent definitions (AGENTS_DIR, default ./agents) first")
    .action((dir: string, o: { mergeCollisions?: boolean; agents?: boolean }, cmd: Command) =>
      // Partly imported: the good files are in, and the exit code says something was skipped.
      once(
        cmd,
        (p, db) => {
          const agents = syncDefinitions(p, db, o.agents);
          return { ...p.importTree(db, dir, { onCollision: o.mergeCollisions ? "merge" : "skip" }), agents };
        },
        (s) => {
          printAgents(s.agents);
          printImport(s);
        },
        (s) => ({ ...s, eventIds: undefined, events: s.eventIds.length }),
      ),
    );

  program
    .command("export")
    .description("Write the database out as an Agent_Memory folder (same layout and file names)")
    .argument("<dir>", "the folder to write (created if needed)")
    .action((dir: string, _o: unknown, cmd: Command) => once(cmd, (p, db) => p.exportTree(db, dir), printExport));

  program
    .command("sync")
    .description("Mirror an Agent_Memory folder and the database both ways until interrupted (Ctrl-C)")
    .argument("<dir>", "the Agent_Memory folder (created if needed)")
    .option("--poll <ms>", "how often the database change feed is read", "300")
    .option("--no-agents", "do not load the agent definitions (AGENTS_DIR, default ./agents) first")
    .action(async (dir: string, o: { poll: string; agents?: boolean }, cmd: Command) => {
      const [p, db] = await Promise.all([import("@/lib/protocol"), open()]);
      const { startMirror } = p;
      const asJson = json(cmd);
      const agents = syncDefinitions(p, db, o.agents);
      if (asJson) {
        if (agents) err(JSON.stringify({ level: "info", message: "agents synced", agents }));
      } else printAgents(agents);
      const onReport = (r: MirrorReport) => {
        if (asJson) err(JSON.stringify(r));
        else err(`${r.level}${r.path ? ` ${r.path}` : ""}: ${r.message}`);
      };
      const pollMs = Math.max(50, Number.parseInt(o.poll, 10) || 300);
      const mirror = await startMirror(db, dir, { pollMs, onReport });
      out(`Mirroring ${mirror.root} (Ctrl-C to stop)`);
      await new Promise<void>((resolve) => {
        const done = () => resolve();
        process.once("SIGINT", done);
        process.once("SIGTERM", done);
      });
      await mirror.stop();
      db.$engine.close();
      const st = mirror.stats;
      out(`Stopped: ${st.imported} imported, ${st.written} written, ${st.removed} moved away, ${st.conflicts} conflicts, ${st.errors} errors`);
    });
}
