import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import * as s from "@/lib/services";
import { startTestServer, type TestServer } from "@/test/server";
import { agent, people } from "@/test/db";

/**
 * Every `agentdesk ...` command that the README, the docs, the API page, the dashboard, the server's
 * banner and the CLI's own hints print is run here, through a shell, with the real CLI on PATH, against
 * a real server and database: a command a newcomer copies must work. (The connect hint once said
 * `agentdesk token create backend-developer`, which the CLI rejects.) Placeholders (NAME, TASK,
 * MESSAGE_ID, DIR...) become real values; optional parts in [brackets] are dropped.
 */

const repo = path.resolve(import.meta.dirname, "..");
const sources = [
  "README.md",
  ...fs
    .readdirSync(path.join(repo, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
  "lib/http/v1/docs.ts",
  "lib/http/v1/index.ts",
  "server.ts",
  "scripts/seed.ts",
  ...walk("components").filter((f) => f.endsWith(".tsx") && !f.endsWith(".test.tsx")),
  ...walk("app").filter((f) => f.endsWith(".tsx") && !f.endsWith(".test.tsx")),
  ...walk("cli").filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts")),
];

function walk(dir: string): string[] {
  return fs.readdirSync(path.join(repo, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(`${dir}/${e.name}`) : [`${dir}/${e.name}`]));
}

interface Printed {
  where: string;
  command: string;
}

const CMD = /^(?:npx )?agentdesk ([a-z][a-z-]*(?:\s.*)?)$/;

/**
 * The commands a file tells people to run. Markdown: every line of a fenced block that starts with
 * `agentdesk` (to its comment), and inline code spans that hold a whole command. Code: string
 * literals and JSX text holding one (comments are not printed to anyone). A span naming a command
 * alone, like `agentdesk sync`, is a mention: commands without arguments still count when the CLI
 * takes none.
 */
export function extractCommands(file: string, text: string): Printed[] {
  const found: Printed[] = [];
  const add = (i: number, raw: string, mention: boolean) => {
    const m = CMD.exec(raw.trim());
    if (!m) return;
    // A template literal whose rest is code (`agentdesk connect ${quote(agent)} …`): the component's own test checks what it builds.
    if (/\$$/.test(m[1].trim())) return;
    const command = m[1]
      .replace(/\s+#.*$/, "")
      .replace(/\\n$/, "")
      .trim();
    if (mention && /^[a-z-]+$/.test(command) && !NO_ARGS.has(command)) return;
    found.push({ where: `${file}:${i + 1}`, command });
  };
  const lines = text.split("\n");
  let fenced = false;
  lines.forEach((line, i) => {
    if (file.endsWith(".md")) {
      if (/^\s*```/.test(line)) return void (fenced = !fenced);
      if (fenced) {
        // A command continued with a backslash takes the next line too.
        const full = line.endsWith("\\") ? `${line.slice(0, -1)} ${lines[i + 1]?.trim() ?? ""}` : line;
        return add(i, full, false);
      }
      for (const m of line.matchAll(/`([^`]+)`/g)) add(i, m[1], true);
      return;
    }
    if (/^\s*(\/\/|\*|\/\*)/.test(line)) return;
    // Inside string literals, template literals and JSX text.
    for (const m of line.matchAll(/(?:npx )?agentdesk [a-z][^`"'<>\n{}]*(?:\{agent\}[^`"'<>\n{}]*)?/g)) {
      add(i, m[0].replace(/^.*?(?=(?:npx )?agentdesk )/, "").replace(/[.,:;)\\]+$/, ""), true);
    }
  });
  return found;
}

/** Commands that take no argument, so naming one is running it. */
const NO_ARGS = new Set(["migrate", "whoami", "tasks", "claim", "inbox"]);

let srv: TestServer;
let tmp: string;
let bin: string;
let agentToken: string;
let adminToken: string;
let opsDb: string;

beforeAll(async () => {
  srv = await startTestServer();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-printed-"));
  bin = path.join(tmp, "bin");
  fs.mkdirSync(bin);
  // `agentdesk` on PATH, as `npx agentdesk` finds it in a clone.
  fs.writeFileSync(path.join(bin, "agentdesk"), `#!/bin/sh\nexec "${process.execPath}" "${path.join(repo, "bin", "agentdesk.mjs")}" "$@"\n`, { mode: 0o755 });
  adminToken = srv.person("admin", "printed-admin@example.com").token;
  agentToken = srv.agentToken("backend-developer").token;
  // backup/restore act on copies of this file (concrete()), so the server's file is never swapped under them.
  opsDb = path.join(tmp, "ops", "agentdesk.db");
  fs.mkdirSync(path.dirname(opsDb));
  srv.db.$client.pragma("wal_checkpoint(TRUNCATE)");
  fs.copyFileSync(srv.file, opsDb);
  // Where the docs keep their backups.
  fs.mkdirSync(path.join(tmp, "backups"));
  fs.writeFileSync(path.join(tmp, "report.md"), "# Report\n\nDone.\n");
});
afterAll(async () => {
  await srv.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

let n = 0;
/** A fresh claimed task of backend-developer, so each command that names TASK acts on its own. */
function claimedTask(stepsDone = false): string {
  const rex = srv.ctx(people.reviewer);
  const be = srv.ctx(agent("backend-developer"));
  const inst = s.createInstruction(rex, { title: `Printed ${++n}` });
  const task = s.createTask(rex, { instructionId: inst.id, title: `Printed task ${n}`, assignedAgent: "backend-developer" });
  s.claimTask(be, { taskId: task.id });
  // `complete` is for a task whose steps are walked and whose output is handed in.
  if (stepsDone) {
    for (const st of s.getTask(rex, task.id).steps) s.updateStep(be, { taskId: task.id, position: st.position, status: "done" });
    s.submitOutput(be, { taskId: task.id, format: "markdown", content: "Done." });
  }
  return task.id;
}

/** A synopsis with alternatives (`--agent NAME | --user EMAIL`, `admin|reviewer`) as the commands it stands for. */
export function alternatives(command: string): string[] {
  const c = command.replace(/(^|\s)([^\s|]+)(?:\|[^\s|]+)+/g, "$1$2");
  if (!c.includes(" | ")) return [c];
  const [first, ...rest] = c.split(" | ");
  const words = first.split(" ");
  const base = words
    .slice(
      0,
      words.findIndex((w) => w.startsWith("-")),
    )
    .join(" ");
  return [first, ...rest.map((r) => `${base} ${r}`)];
}

function concrete(command: string): { line: string; env: Record<string, string>; long?: boolean } {
  let c = command.replace(/\s*\[[^\]]*\]/g, "").replace(/\s+#.*$/, "");
  const env: Record<string, string> = {};
  // Each backup or restore on a database of its own: they run two at a time, and a restore refuses
  // (in_use) while another process has its file open.
  if (/^(backup|restore)\b/.test(c)) {
    env.DATABASE_PATH = path.join(tmp, `ops-${++n}`, "agentdesk.db");
    fs.mkdirSync(path.dirname(env.DATABASE_PATH));
    fs.copyFileSync(opsDb, env.DATABASE_PATH);
  }
  if (/^restore\b/.test(c)) {
    // A real backup to restore from.
    const file = path.join(tmp, `restore-${++n}.db`);
    fs.copyFileSync(opsDb, file);
    c = c.replace(/(restore\s+)\S+/, `$1${file}`);
  }
  c = c
    .replace(/\/backups\//g, `${tmp}/backups/`)
    .replace(/\bFILE\b/g, path.join(tmp, `backup-${++n}.db`))
    .replace(/\{agent\}|\bNAME\b/g, "backend-developer")
    .replace(/--user (?:EMAIL|you@example\.com)/g, "--user printed-admin@example.com")
    .replace(/--email (?:E|you@example\.com)\b/g, () => `--email new-${++n}@example.com`)
    .replace(/\bDIR\b/g, () => fs.mkdtempSync(path.join(tmp, "dir-")))
    .replace(/\breport\.md\b/g, path.join(tmp, "report.md"))
    .replace(/\bMESSAGE_ID\b/g, () => s.sendMessage(srv.ctx(people.reviewer), { to: "backend-developer", type: "consultation", body: "Which fields?" }).id)
    .replace(/\bTASK\b/g, () => claimedTask(/^complete\b/.test(c)))
    .replace(/--task (?:ID|T)\b/g, () => `--task ${claimedTask()}`)
    .replace(/--step N\b/g, "--step 1")
    .replace(/--subject S\b/g, "--subject Question")
    .replace(/--label L\b/g, "--label printed");
  if (/^token revoke\b/.test(c)) c = c.replace(/(token revoke\s+)\S+/, `$1${s.createToken(srv.ctx(people.admin), { agent: "backend-developer" }).id}`);
  if (/^claim\b/.test(c) && !c.includes("--task")) {
    const rex = srv.ctx(people.reviewer);
    s.createTask(rex, { instructionId: s.createInstruction(rex, { title: "To claim" }).id, title: "To claim", assignedAgent: "backend-developer" });
  }
  // connect writes into a project folder: each one its own (an empty one), the server under test as
  // the address, an admin's personal token where the docs say $AGENTDESK_ADMIN_TOKEN; --remove undoes
  // a connect made just before it.
  if (/^connect\b/.test(c)) {
    const project = fs.mkdtempSync(path.join(tmp, "project-"));
    c = c
      .replace(/<agent>|\bAGENT\b/g, "backend-developer")
      .replace(/--url \S+/g, `--url ${srv.baseUrl}`)
      .replace(/--dir \S+/g, "");
    if (/--remove\b/.test(c)) return { line: `agentdesk connect backend-developer --dir ${project} --agent-token ${agentToken} >/dev/null && agentdesk ${c} --dir ${project}`, env };
    // Run with a person's token (the docs: "with a personal token"), so it can mint the agent's.
    return { line: `agentdesk ${c} --dir ${project}`, env: { ...env, AGENTDESK_ADMIN_TOKEN: adminToken, AGENTDESK_TOKEN: adminToken } };
  }
  c = c.replace(/^hook <event>/, "hook SessionStart");
  // The server: its command line is checked here; starting it is what the package test
  // (scripts/pack-test.mjs, from the installed tarball) and the first-run smoke do.
  if (/^serve\b/.test(c)) c += " --help";
  // At a terminal it asks for the password; here it comes on standard input.
  if (/^user create\b/.test(c)) c += " --password-stdin";
  const long = /^sync\b/.test(c);
  // exec: the interrupt for a long-running command reaches the CLI itself.
  return { line: `${long ? "exec " : ""}agentdesk ${c}`, env, long };
}

function sh(line: string, env: Record<string, string>, long: boolean): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn("sh", ["-c", line], {
      cwd: tmp,
      env: {
        PATH: `${bin}:${process.env.PATH}`,
        HOME: tmp,
        NODE_ENV: "test",
        LOG_LEVEL: "warn",
        DATABASE_PATH: srv.file,
        AGENTS_DIR: path.join(repo, "agents"),
        AGENTDESK_URL: srv.baseUrl,
        AGENTDESK_TOKEN: agentToken,
        ...env,
      },
      stdio: ["pipe", "pipe", "pipe"],
      // Its own process group: the interrupt reaches the CLI, not only the shell.
      detached: true,
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    // user create reads the password from standard input when it is not a terminal.
    child.stdin.end("printed-commands-password\n");
    if (long) setTimeout(() => process.kill(-child.pid!, "SIGINT"), 6000);
    const guard = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), 60_000);
    child.on("exit", () => clearTimeout(guard));
    child.on("close", (code) => resolve({ code, out }));
  });
}

it("finds the commands people are told to run", () => {
  const all = sources.flatMap((f) => extractCommands(f, fs.readFileSync(path.join(repo, f), "utf8")));
  const names = new Set(all.map((p) => p.command.split(" ")[0]));
  // The extraction itself can fail: these are printed today, and must be found.
  for (const expected of ["token", "user", "import", "export", "sync", "backup", "restore", "step", "send", "reply"]) expect(names).toContain(expected);
  expect(alternatives("token create --agent NAME [--label L] | --user EMAIL")).toEqual(["token create --agent NAME [--label L]", "token create --user EMAIL"]);
  expect(alternatives("user create --role admin|reviewer|viewer")).toEqual(["user create --role admin"]);
  expect(extractCommands("x.tsx", "create one with <code>agentdesk token create backend-developer</code>")).toEqual([{ where: "x.tsx:1", command: "token create backend-developer" }]);
});

it("every printed agentdesk command runs", { timeout: 600_000 }, async () => {
  const all = sources.flatMap((f) => extractCommands(f, fs.readFileSync(path.join(repo, f), "utf8")));
  const expanded = all.flatMap((p) => alternatives(p.command).map((command) => ({ ...p, command })));
  const unique = [...new Map(expanded.map((p) => [p.command, p])).values()];
  expect(unique.length).toBeGreaterThan(20);
  const failures: string[] = [];
  // Two at a time: each CLI start costs a second of CPU.
  for (let i = 0; i < unique.length; i += 2) {
    await Promise.all(
      unique.slice(i, i + 2).map(async (p) => {
        const { line, env, long } = concrete(p.command);
        const r = await sh(line, env, !!long);
        const ok = r.code === 0;
        if (!ok) failures.push(`${p.where}: \`agentdesk ${p.command}\` ran as \`${line}\` → exit ${r.code}\n${r.out.trim().split("\n").slice(-3).join("\n")}`);
      }),
    );
  }
  expect(failures, failures.join("\n\n")).toEqual([]);
});
