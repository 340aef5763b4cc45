import type { Command } from "commander";
import { CliError } from "../errors";

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

// Loaded when the command runs, so agent commands over HTTP do not pay for SQLite.
const ops = async () => {
  const [backup, restore, check] = await Promise.all([import("@/lib/ops/backup"), import("@/lib/ops/restore"), import("@/lib/ops/check")]);
  return { ...backup, ...restore, ...check };
};

/** DATABASE_URL=postgres://… and no --db: pg_dump / pg_restore (lib/ops/pg-backup.ts). */
async function postgresOf(cmd: Command): Promise<string | null> {
  if ((cmd.optsWithGlobals() as { db?: string }).db) return null;
  return (await ops()).postgresUrl();
}

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
    .description("Copy the database to FILE while the server keeps running (consistent, checked, atomic; pg_dump on PostgreSQL)")
    .argument("<file>", "where to write the backup (replaced atomically if it exists)")
    .option("--db <path>", "the database file (default: DATABASE_PATH, else ./data/agentdesk.db)")
    .action(async (file: string, _opts: unknown, cmd: Command) => {
      const pg = await postgresOf(cmd);
      if (pg) {
        const { backupPostgres } = await import("@/lib/ops/pg-backup");
        const r = await refusalsAsCliErrors(() => backupPostgres(pg, file));
        process.stdout.write(
          `Backup of ${r.source} written to ${r.file} (pg_dump custom format, ${mb(r.bytes)}, ${r.tasks} tasks, ${r.messages} messages, ${r.events} events) in ${r.durationMs} ms\n`,
        );
        return;
      }
      const { backupDatabase } = await ops();
      const source = await databaseOf(cmd);
      const r = await refusalsAsCliErrors(() => backupDatabase(source, file));
      process.stdout.write(`Backup written to ${r.file} (${mb(r.bytes)}, integrity ok, ${r.tasks} tasks, ${r.messages} messages, ${r.events} events) in ${r.durationMs} ms\n`);
    });

  program
    .command("restore")
    .description("Replace the database with a backup FILE (stop the server first; the replaced data is kept; pg_restore on PostgreSQL)")
    .argument("<file>", "a file written by `agentdesk backup`")
    .option("--db <path>", "the database file (default: DATABASE_PATH, else ./data/agentdesk.db)")
    .action(async (file: string, _opts: unknown, cmd: Command) => {
      const pg = await postgresOf(cmd);
      if (pg) {
        const { restorePostgres } = await import("@/lib/ops/pg-backup");
        const r = await refusalsAsCliErrors(() => restorePostgres(file, pg));
        process.stdout.write(
          `Restored ${r.file} from ${r.from} (${r.tasks} tasks, ${r.messages} messages, ${r.events} events).\n` +
            (r.previous ? `What the database held before is kept as ${r.previous} (pg_restore can bring it back).\n` : "") +
            `Start the servers again; pending migrations apply at start.\n`,
        );
        return;
      }
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
