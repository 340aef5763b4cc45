import { Command, CommanderError } from "commander";
import { registerAdminCommands } from "./admin-commands";
import { registerAgentCommands } from "./agent-commands";
import { registerBridgeCommands } from "./commands/bridge";
import { registerOpsCommands } from "./commands/ops";
import { registerConnectCommands } from "./commands/connect";
import { registerHookCommand } from "./commands/hook";
import { registerServeCommand } from "./commands/serve";
import { isServiceError } from "@/lib/services/errors";
import { CliError } from "./errors";

/**
 * agentdesk: admin commands on the database file (migrate, seed, agent, token, user) and agent
 * commands over HTTP (tasks, claim, step, output, complete, block, inbox, send, reply).
 * Errors print `code: message` on stderr; exit 2 for wrong usage, 1 for everything else.
 */
export function buildProgram(): Command {
  const program = new Command("agentdesk");
  program
    .description("AgentDesk from the command line")
    .version("0.1.0")
    .option("--url <url>", "AgentDesk's address for agent commands (default $AGENTDESK_URL, else http://localhost:3000)")
    .option("--token <token>", "bearer token for agent commands (default $AGENTDESK_TOKEN)")
    .option("--json", "machine-readable output")
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: () => {} });
  program.commandsGroup("Agent commands (over HTTP):");
  registerAgentCommands(program);
  registerConnectCommands(program);
  registerHookCommand(program);
  program.commandsGroup("Server:");
  registerServeCommand(program);
  program.commandsGroup("Admin commands (on the database file, DATABASE_PATH):");
  registerAdminCommands(program);
  registerBridgeCommands(program);
  registerOpsCommands(program);
  program.addHelpText(
    "after",
    `
Environment:
  AGENTDESK_URL, AGENTDESK_TOKEN   where and who, for agent commands
  DATABASE_PATH                    the SQLite file (default ./data/agentdesk.db in a clone,
                                   ~/.agentdesk/agentdesk.db when installed)
  AGENTS_DIR                       agent definition folders, ":"-separated (default ./agents)
  Every setting: docs/settings.md`,
  );
  return program;
}

export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: "user" });
    // A command that ran to its end but partly failed (import skipped a file, export could not write
    // one) says so through process.exitCode; main.ts sets the exit code from this return value.
    return Number(process.exitCode ?? 0) || 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") return 0;
      if (err.code === "commander.executeSubCommandAsync") return err.exitCode;
      process.stderr.write(`usage: ${err.message.replace(/^error:\s*/i, "")} (see agentdesk --help)\n`);
      return 2;
    }
    if (err instanceof CliError) {
      process.stderr.write(`${err.code}: ${err.message}\n`);
      return err.exitCode;
    }
    if (isServiceError(err)) {
      process.stderr.write(`${err.code}: ${err.message}\n`);
      return 1;
    }
    // db/client.ts's DataPathError (by name: the CLI does not load the database layer up front).
    if ((err as Error)?.name === "DataPathError") {
      process.stderr.write(`data_path: ${(err as Error).message}\n`);
      return 1;
    }
    process.stderr.write(`internal: ${(err as Error)?.stack ?? String(err)}\n`);
    return 1;
  }
}
