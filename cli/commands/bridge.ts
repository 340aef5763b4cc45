import type { Command } from "commander";
import type { Db } from "@/db/client";
import type { ExportSummary, ImportSummary, MirrorReport } from "@/lib/protocol";

/**
 * `agentdesk import DIR`, `agentdesk export DIR`, `agentdesk sync DIR`: the Agent_Memory folder
 * bridge on the database file (DATABASE_PATH). The database and the bridge are loaded only when one
 * of these runs. See docs/folder-bridge.md.
 */

type Globals = { json?: boolean };
const out = (s: string) => process.stdout.write(s.endsWith("\n") ? s : `${s}\n`);
const err = (s: string) => process.stderr.write(s.endsWith("\n") ? s : `${s}\n`);

export interface BridgeCommandDeps {
  /** Opens the database (default: openDatabase(defaultDatabasePath()) from db/client.ts). */
  openDb?: () => Promise<Db> | Db;
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

function printExport(s: ExportSummary) {
  out(`Exported to ${s.root}: ${s.written} written, ${s.unchanged} unchanged, ${s.removed} stale task files removed (${s.durationMs} ms)`);
  for (const [kind, c] of Object.entries(s.byKind)) if (c.written + c.unchanged) out(`  ${kind.padEnd(12)} ${c.written} written, ${c.unchanged} unchanged`);
  for (const e of s.errors) err(`not written ${e.path}: ${e.reason}`);
}

export function registerBridgeCommands(program: Command, deps: BridgeCommandDeps = {}): void {
  const open = deps.openDb ?? defaultOpen;
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
      db.$client.close();
    }
  }

  program
    .command("import")
    .description("Import an Agent_Memory folder (instructions, tasks, results, messages); unchanged files change nothing")
    .argument("<dir>", "the Agent_Memory folder")
    .option("--merge-collisions", "merge a folder into an existing instruction of the same id created at another time (default: skip it)")
    .action((dir: string, o: { mergeCollisions?: boolean }, cmd: Command) =>
      // Partly imported: the good files are in, and the exit code says something was skipped.
      once(
        cmd,
        (p, db) => p.importTree(db, dir, { onCollision: o.mergeCollisions ? "merge" : "skip" }),
        printImport,
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
    .action(async (dir: string, o: { poll: string }, cmd: Command) => {
      const [{ startMirror }, db] = await Promise.all([import("@/lib/protocol"), open()]);
      const asJson = json(cmd);
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
      db.$client.close();
      const st = mirror.stats;
      out(`Stopped: ${st.imported} imported, ${st.written} written, ${st.removed} moved away, ${st.conflicts} conflicts, ${st.errors} errors`);
    });
}
