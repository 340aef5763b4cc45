import type { Command } from "commander";
import { CliError } from "../errors";

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

// Loaded when the command runs, so agent commands over HTTP do not pay for SQLite.
const ops = async () => {
  const [backup, restore, check] = await Promise.all([import("@/lib/ops/backup"), import("@/lib/ops/restore"), import("@/lib/ops/check")]);
  return { ...backup, ...restore, ...check };
};

async function databaseOf(cmd: Command): Promise<string> {
  const opts = cmd.optsWithGlobals() as { db?: string };
  return opts.db ?? (await ops()).defaultDatabasePath();
}

/** A refusal (OpsError) becomes the CLI's `code: message` on stderr and exit 1. */
async function refusalsAsCliErrors<T>(fn: () => Promise<T>): Promise<T> {
  const { OpsError } = await ops();
  try {
    return await fn();
  } catch (err) {
    if (err instanceof OpsError) throw new CliError(err.code, err.message, 1);
    throw err;
  }
}

/** `agentdesk backup FILE` and `agentdesk restore FILE` (docs/operations.md). */
export function registerOpsCommands(program: Command): void {
  program
    .command("backup")
    .description("Copy the database to FILE while the server keeps running (consistent, checked, atomic)")
    .argument("<file>", "where to write the backup (replaced atomically if it exists)")
    .option("--db <path>", "the database file (default: DATABASE_PATH, else ./data/agentdesk.db)")
    .action(async (file: string, _opts: unknown, cmd: Command) => {
      const { backupDatabase } = await ops();
      const source = await databaseOf(cmd);
      const r = await refusalsAsCliErrors(() => backupDatabase(source, file));
      process.stdout.write(`Backup written to ${r.file} (${mb(r.bytes)}, integrity ok, ${r.tasks} tasks, ${r.messages} messages, ${r.events} events) in ${r.durationMs} ms\n`);
    });

  program
    .command("restore")
    .description("Replace the database with a backup FILE (stop the server first; the replaced file is kept)")
    .argument("<file>", "a file written by `agentdesk backup`")
    .option("--db <path>", "the database file (default: DATABASE_PATH, else ./data/agentdesk.db)")
    .action(async (file: string, _opts: unknown, cmd: Command) => {
      const { restoreDatabase } = await ops();
      const target = await databaseOf(cmd);
      const r = await refusalsAsCliErrors(() => restoreDatabase(file, target));
      process.stdout.write(
        `Restored ${r.file} from ${r.from} (integrity ok, ${r.tasks} tasks, ${r.messages} messages, ${r.events} events).\n` +
          (r.previous ? `The replaced database is kept as ${r.previous}.\n` : "") +
          `Start the server again; pending migrations apply at start.\n`,
      );
    });
}
