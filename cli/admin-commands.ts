import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Option, type Command } from "commander";
import { packageRoot } from "@/lib/domain/install";
import { roles, type Role } from "@/lib/domain/vocabulary";
import { CliError, usageError } from "./errors";
import { printJson, shortDate, table } from "./format";
import { readPassword } from "./password";

/**
 * Admin commands act on the database directly (DATABASE_URL=postgres://… when set, else the SQLite
 * file DATABASE_PATH, default ./data/agentdesk.db),
 * as the system actor, through the same service verbs as the API. The database modules are loaded
 * only when one of these runs, so the agent commands stay light.
 */

type Globals = { json?: boolean };
const globals = (cmd: Command) => cmd.optsWithGlobals<Globals>();
const out = (s: string): void => void process.stdout.write(s.endsWith("\n") ? s : `${s}\n`);

async function withDb<T>(fn: (env: Awaited<ReturnType<typeof loadEnv>>) => Promise<T> | T, opts: { migrate?: boolean } = {}): Promise<T> {
  const env = await loadEnv(opts);
  try {
    return await fn(env);
  } finally {
    env.db.$engine.close();
  }
}

async function loadEnv(opts: { migrate?: boolean }) {
  const [{ openConfigured, describeDatabase }, services, { systemActor }] = await Promise.all([import("@/db/client"), import("@/lib/services"), import("@/lib/auth/actor")]);
  // The file's path, or the PostgreSQL address without its password: what the messages name.
  const file = describeDatabase();
  const db = openConfigured(process.env, { migrate: opts.migrate ?? true });
  return { db, file, services, ctx: { db, actor: systemActor("cli") } };
}

async function loadAgents() {
  const { agentDirsFromEnv, loadAgentDefinitions } = await import("@/lib/agents");
  const dirs = agentDirsFromEnv();
  return { dirs, ...loadAgentDefinitions(dirs) };
}

export function registerAdminCommands(program: Command) {
  program
    .command("migrate")
    .description("Apply pending database migrations (DATABASE_URL, else DATABASE_PATH)")
    .action(async () => {
      await withDb(
        ({ db, file }) => {
          const { applied } = db.$engine.migrate();
          out(applied ? `Applied ${applied} migration${applied === 1 ? "" : "s"} to ${file}.` : `${file} is up to date.`);
        },
        { migrate: false },
      );
    });

  program
    .command("seed")
    .description("Fill the database with demo data (people, agents, instructions, tasks, outputs, messages)")
    .option("--demo", "the demo (the default, and today the only kind)")
    .action(async (_o: { demo?: boolean }, cmd: Command) => {
      // Resolved at run time (by path) so the CLI builds without the demo module: the sources in a
      // clone, the compiled dist/seed.mjs in the installed package (lib/domain/install.ts).
      const root = packageRoot();
      const modulePath = pathToFileURL(root ? path.join(root, "dist", "seed.mjs") : path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "lib", "demo", "seed.ts")).href;
      let seedDemo: (db: unknown) => { users: { email: string; password: string }[]; skipped: boolean };
      try {
        ({ seedDemo } = await import(modulePath));
      } catch (err) {
        throw new CliError("unavailable", `The demo seed is not available: ${(err as Error).message}`);
      }
      await withDb(async ({ db, file, services, ctx }) => {
        const { agents } = await loadAgents();
        services.syncAgents(ctx, agents);
        const result = await seedDemo(db);
        if (globals(cmd).json) return printJson(result);
        if (result.skipped) return out(`${file} already holds instructions: the demo was not loaded again.`);
        out(`Demo data added to ${file}. Sign in with:`);
        for (const u of result.users) out(`  ${u.email}  ${u.password}`);
      });
    });

  const agent = program.command("agent").description("Agent definitions");
  agent
    .command("list")
    .description("Load the definitions (AGENTS_DIR, default ./agents), sync them into the database, list them")
    .action(async (_o, cmd: Command) => {
      const { dirs, agents, problems } = await loadAgents();
      const summary = await withDb(({ services, ctx }) => services.syncAgents(ctx, agents));
      const entries = agents.map((a) => ({
        name: a.name,
        source: a.sourcePath,
        steps: a.steps.length,
        problems: problems.filter((p) => p.file === a.sourcePath).map((p) => ({ severity: p.severity, message: p.message })),
      }));
      const known = new Set(agents.map((a) => a.sourcePath));
      // Files that could not be loaded at all have no name: listed with name null.
      const failed = [...new Set(problems.filter((p) => !known.has(p.file)).map((p) => p.file))].map((file) => ({
        name: null,
        source: file,
        steps: 0,
        problems: problems.filter((p) => p.file === file).map((p) => ({ severity: p.severity, message: p.message })),
      }));
      process.stderr.write(`Synced: ${summary.added} added, ${summary.updated} updated, ${summary.deactivated} deactivated, ${summary.unchanged} unchanged.\n`);
      if (globals(cmd).json) return printJson([...entries, ...failed]);
      if (entries.length) {
        out(
          table(
            [...entries, ...failed].map((e) => ({ ...e, name: e.name ?? "(not loaded)", problems: e.problems.length ? e.problems.map((p) => `${p.severity}: ${p.message}`).join("; ") : "" })),
            [
              ["name", "name"],
              ["steps", "steps"],
              ["source", "source"],
              ["problems", "problems"],
            ],
          ),
        );
      } else out(`No agent definitions in ${dirs.join(", ")}.`);
    });

  const token = program.command("token").description("API tokens for agents and scripts");
  token
    .command("create")
    .description("Mint a token; prints the secret alone on stdout (shown once)")
    .option("--agent <name>", "for this agent")
    .option("--user <email>", "for this person's scripts")
    .option("--label <label>", "a note, e.g. where it is used")
    .action(async (o: { agent?: string; user?: string; label?: string }, cmd: Command) => {
      if (!!o.agent === !!o.user) throw usageError("Give exactly one of --agent NAME or --user EMAIL");
      await withDb(async ({ services, ctx }) => {
        let userId: string | undefined;
        if (o.user) {
          const u = services.findUserByEmail(ctx, o.user);
          if (!u) throw new CliError("not_found", `No account for ${o.user}`);
          userId = u.id;
        } else if (o.agent) {
          // A fresh database may not have seen the definitions yet (the server syncs them at start).
          try {
            services.getAgent(ctx, o.agent);
          } catch {
            services.syncAgents(ctx, (await loadAgents()).agents);
          }
        }
        const t = services.createToken(ctx, { agent: o.agent, userId, label: o.label ?? "" });
        if (globals(cmd).json) return printJson(t);
        out(t.token);
      });
    });
  token
    .command("list")
    .description("List tokens (never their secrets)")
    .option("--agent <name>", "only this agent's")
    .action(async (o: { agent?: string }, cmd: Command) => {
      await withDb(({ services, ctx }) => {
        const rows = services.listTokens(ctx, { agent: o.agent });
        if (globals(cmd).json) return printJson(rows);
        if (rows.length === 0) return out("No tokens.");
        out(
          table(
            rows.map((r) => ({
              ...r,
              owner: r.agent ? `agent ${r.agent}` : `user ${r.userId}`,
              state: r.revokedAt ? "revoked" : "active",
              created: shortDate(r.createdAt),
              used: shortDate(r.lastUsedAt),
            })),
            [
              ["id", "id"],
              ["owner", "owner"],
              ["state", "state"],
              ["created", "created"],
              ["used", "last used"],
              ["label", "label"],
            ],
          ),
        );
      });
    });
  token
    .command("revoke")
    .description("Revoke a token: refused from the next request on")
    .argument("<id>", "token id (tok_...)")
    .action(async (id: string, _o, cmd: Command) => {
      await withDb(({ services, ctx }) => {
        const t = services.revokeToken(ctx, id);
        if (globals(cmd).json) return printJson(t);
        out(`Revoked ${t.id}.`);
      });
    });

  const user = program.command("user").description("People's accounts");
  user
    .command("create")
    .description("Create an account (password asked for, or read from stdin)")
    .requiredOption("--email <email>", "sign-in email")
    .addOption(new Option("--role <role>", "what they may do").choices(roles).makeOptionMandatory())
    .option("--name <name>", "display name")
    .option("--password-stdin", "read the password from standard input")
    .action(async (o: { email: string; role: Role; name?: string; passwordStdin?: boolean }, cmd: Command) => {
      const [{ PasswordRule }, { hashPassword }] = await Promise.all([import("@/lib/services"), import("@/lib/auth/secrets")]);
      const password = await readPassword({ fromStdin: !!o.passwordStdin });
      const ok = PasswordRule.safeParse(password);
      if (!ok.success) throw new CliError("validation_failed", `Password: ${ok.error.issues[0]?.message ?? "invalid"}`);
      const passwordHash = await hashPassword(password);
      await withDb(({ services, ctx }) => {
        const u = services.createUser(ctx, { email: o.email, name: o.name ?? "", role: o.role, passwordHash });
        if (globals(cmd).json) return printJson(u);
        out(`Created ${u.role} ${u.email} (${u.id}).`);
      });
    });
  user
    .command("role")
    .description("Give an account another role (the last admin cannot be demoted)")
    .requiredOption("--email <email>", "sign-in email")
    .addOption(new Option("--role <role>", "the new role").choices(roles).makeOptionMandatory())
    .action(async (o: { email: string; role: Role }, cmd: Command) => {
      await withDb(({ services, ctx }) => {
        const found = services.findUserByEmail(ctx, o.email);
        if (!found) throw new CliError("not_found", `No account for ${o.email}`);
        const u = services.changeUserRole(ctx, { userId: found.id, role: o.role });
        if (globals(cmd).json) return printJson(u);
        out(`${u.email} is now ${u.role}.`);
      });
    });
  user
    .command("list")
    .description("List accounts")
    .action(async (_o, cmd: Command) => {
      await withDb(({ services, ctx }) => {
        const rows = services.listUsers(ctx);
        if (globals(cmd).json) return printJson(rows);
        if (rows.length === 0) return out("No accounts yet: agentdesk user create --email you@example.com --role admin");
        out(
          table(
            rows.map((u) => ({ ...u, created: shortDate(u.createdAt), state: u.disabled ? "disabled" : "" })),
            [
              ["id", "id"],
              ["email", "email"],
              ["role", "role"],
              ["name", "name"],
              ["created", "created"],
              ["state", ""],
            ],
          ),
        );
      });
    });
}
