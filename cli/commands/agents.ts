import path from "node:path";
import type { Command } from "commander";
import { CliError } from "../errors";
import { printJson } from "../format";

/**
 * `agentdesk agents export DIR`: the agent definitions as Claude Code subagent files
 * (`DIR/<name>.md`), e.g. into a project's `.claude/agents`. See docs/agents.md.
 *
 * The definitions are read from AGENTS_DIR (default ./agents), not from the database: the files are
 * what the agents table is synced from (nothing else writes it), so they are never older than the
 * database, they include edits not synced yet, they leave out agents whose file is gone (kept in the
 * table, inactive, for the tasks that name them), and the export needs no database at all. It is the
 * same source `agentdesk agent list` and the server load.
 */

type Globals = { json?: boolean };
const out = (s: string) => process.stdout.write(s.endsWith("\n") ? s : `${s}\n`);
const err = (s: string) => process.stderr.write(s.endsWith("\n") ? s : `${s}\n`);

export function registerAgentsCommands(program: Command) {
  const agents = program.command("agents").description("Agent definitions as files for other tools").helpGroup("Agent definitions (files, AGENTS_DIR):");
  agents
    .command("export")
    .description("Write the definitions (AGENTS_DIR) as Claude Code subagents, one DIR/<name>.md each")
    .argument("<dir>", "the folder to write, e.g. .claude/agents (created if missing)")
    .option("--agent <names>", "only these agents (comma-separated)")
    .option("--force", "replace files this command did not write")
    .action(async (dir: string, o: { agent?: string; force?: boolean }, cmd: Command) => {
      const { agentDirsFromEnv, exportClaudeCodeAgents, formatAgentProblem, loadAgentDefinitions } = await import("@/lib/agents");
      const dirs = agentDirsFromEnv();
      const loaded = loadAgentDefinitions(dirs);
      for (const p of loaded.problems) err(formatAgentProblem(p));
      let chosen = loaded.agents;
      if (o.agent !== undefined) {
        const names = o.agent
          .split(",")
          .map((n) => n.trim())
          .filter(Boolean);
        const unknown = names.filter((n) => !loaded.agents.some((a) => a.name === n));
        if (unknown.length) throw new CliError("not_found", `No definition of ${unknown.join(", ")} in ${dirs.join(", ")}`);
        chosen = loaded.agents.filter((a) => names.includes(a.name));
      }
      if (chosen.length === 0) throw new CliError("not_found", `No agent definitions in ${dirs.join(", ")}`);

      const result = exportClaudeCodeAgents(chosen, dir, {
        force: o.force,
        sourceOf: (d) => (d.sourcePath ? path.relative(process.cwd(), d.sourcePath).split(path.sep).join("/") : undefined),
      });
      for (const r of result.refused) err(`skipped ${r.name}: ${r.reason}`);
      if (result.refused.length) process.exitCode = 1;
      if (cmd.optsWithGlobals<Globals>().json) return printJson(result);
      const rel = path.relative(process.cwd(), path.resolve(dir));
      const where = rel === "" ? "." : rel.startsWith("..") || path.isAbsolute(rel) ? path.resolve(dir) : rel;
      out(`Exported ${result.written.length} agent${result.written.length === 1 ? "" : "s"} to ${where}: ${result.unchanged.length} unchanged, ${result.refused.length} skipped.`);
    });
}
