import type { Command } from "commander";
import { backupDatabase, defaultDatabasePath } from "@/lib/ops/backup";
import { OpsError } from "@/lib/ops/check";
import { restoreDatabase } from "@/lib/ops/restore";

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function databaseOf(cmd: Command): string {
  const opts = cmd.optsWithGlobals() as { db?: string; database?: string };
  return opts.db ?? opts.database ?? defaultDatabasePath();
}

async function run(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof OpsError) {
      process.stderr.write(`${err.code}: ${err.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw err;
  }
}

/** `agentdesk backup FILE` and `agentdesk restore FILE`. */
export function registerOpsCommands(program: Command): void {
  program
    .command("backup")
    .description("Copy the database to FILE while the server keeps running (consistent, checked, atomic)")
    .argument("<file>", "where to write the backup (replaced atomically if it exists)")
    .option("--db <path>", "the database file (default: DATABASE_PATH, else ./data/agentdesk.db)")
    .action(async (file: string, _opts: unknown, cmd: Command) =>
      run(async () => {
        const r = await backupDatabase(databaseOf(cmd), file);
        process.stdout.write(
          `Backup written to ${r.file} (${mb(r.bytes)}, integrity ok, ${r.tasks} tasks, ${r.messages} messages, ${r.events} events) in ${r.durationMs} ms\n`,
        );
      }),
    );

  program
    .command("restore")
    .description("Replace the database with a backup FILE (the server must be stopped)")
    .argument("<file>", "a file written by `agentdesk backup`")
    .option("--db <path>", "the database file (default: DATABASE_PATH, else ./data/agentdesk.db)")
    .action(async (file: string, _opts: unknown, cmd: Command) =>
      run(async () => {
        const r = await restoreDatabase(file, databaseOf(cmd));
        process.stdout.write(
          `Restored ${r.file} from ${r.from} (integrity ok, ${r.tasks} tasks, ${r.messages} messages, ${r.events} events).\n` +
            (r.previous ? `The replaced database is kept as ${r.previous}.\n` : "") +
            `Start the server again; pending migrations apply at start.\n`,
        );
      }),
    );
}
