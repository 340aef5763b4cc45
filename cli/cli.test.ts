import fs from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { createInstruction, createTask } from "@/lib/services";
import { json, type TestServer } from "@/test/server";
import { repoRoot, runCli, type CliRun } from "@/test/cli";
import { withTestServer } from "@/test/suite";

let s: TestServer;
let admin: ReturnType<TestServer["person"]>;
withTestServer((server) => {
  s = server;
  admin = s.person("admin");
});

/** The real CLI against the test server and its database. */
function cli(args: string[], opts: { env?: Record<string, string>; input?: string; viaBin?: boolean } = {}): Promise<CliRun> {
  return runCli(args, { DATABASE_PATH: s.file, AGENTDESK_URL: s.baseUrl, ...opts.env }, { input: opts.input ?? "", viaBin: opts.viaBin });
}

// Each CLI start costs a second or more of CPU here: independent runs go in parallel.
const slow = { timeout: 90_000 };

describe("agentdesk CLI", () => {
  test("token create --agent prints just the token, which the API accepts; list and revoke", slow, async () => {
    const r = await cli(["token", "create", "--agent", "backend-developer", "--label", "cli test"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^adk_[A-Za-z0-9_-]{43}\n$/);
    const token = r.stdout.trim();
    const me = await json(await s.request("/api/v1/me", { token }));
    expect(me).toMatchObject({ kind: "agent", name: "backend-developer" });

    const [list, agents] = await Promise.all([cli(["token", "list", "--json", "--agent", "backend-developer"]), cli(["agent", "list", "--json"])]);
    const row = JSON.parse(list.stdout).find((t: { label: string }) => t.label === "cli test");
    expect(row).toBeDefined();
    expect(list.stdout).not.toContain(token);
    const revoked = await cli(["token", "revoke", row.id]);
    expect(revoked.code).toBe(0);
    expect((await s.request("/api/v1/me", { token })).status).toBe(401);

    // agent list --json: the three definitions with their steps, synced into the database.
    expect(agents.code, agents.stderr).toBe(0);
    const defs = JSON.parse(agents.stdout);
    expect(defs.map((a: { name: string; steps: number }) => [a.name, a.steps])).toEqual([
      ["backend-developer", 10],
      ["frontend-developer", 9],
      ["security-specialist", 8],
    ]);
    expect(defs[0]).toMatchObject({ source: expect.stringMatching(/agents\/backend-developer\.md$/), problems: [] });
    expect(agents.stderr).toMatch(/^Synced: 0 added, 0 updated, 0 deactivated, 3 unchanged\.\n$/);
  });

  test("agent commands over HTTP carry a task: claim → steps → output → complete, and messages", slow, async () => {
    const inst = createInstruction(s.ctx(admin.actor), { title: "CLI work", body: "", tier: 1, priority: "normal" });
    const task = createTask(s.ctx(admin.actor), { instructionId: inst.id, title: "Write the report", assignedAgent: "security-specialist" });
    const token = s.agentToken("security-specialist").token;
    const env = { AGENTDESK_TOKEN: token };

    const [listed, claimed] = await Promise.all([cli(["tasks"], { env }), cli(["claim", "--json"], { env })]);
    expect(claimed.code, claimed.stderr).toBe(0);
    expect(JSON.parse(claimed.stdout)).toMatchObject({ id: task.id, status: "in_progress" });
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^ID\s+REF\s+STATUS\s+PRIORITY\s+STEPS\s+TITLE\n/);
    expect(listed.stdout).toContain(task.id);

    const step1 = await cli(["step", task.id, "1", "in_progress", "--note", "Reading the code"], { env });
    expect(step1.code, step1.stderr).toBe(0);
    expect(step1.stdout).toMatch(/^Step 1 \(.+\): in_progress\. 0\/8 steps finished; task in_progress\.\n$/);
    // The middle steps over REST, to keep the number of CLI starts down.
    for (let p = 1; p <= 7; p++) {
      const res = await s.request(`/api/v1/tasks/${task.id}/steps/${p}`, { token, body: { status: "done", note: `step ${p}` } });
      expect(res.status).toBe(200);
    }
    const report = path.join(s.dir, "report.md");
    fs.writeFileSync(report, "# Findings\nNothing critical.\n");
    const [step8, output, sent] = await Promise.all([
      cli(["step", task.id, "8", "done", "--note", "Wrapped up"], { env }),
      cli(["output", task.id, "--format", "markdown", "--file", report, "--files", "src/a.ts,src/b.ts"], { env }),
      cli(["send", "--to", "hitl", "--type", "status_update", "--subject", "Report", "--body", "Report is in", "--task", task.id, "--step", "8", "--json"], { env }),
    ]);
    expect(step8.stdout, step8.stderr).toContain("steps finished");
    expect(output.code, output.stderr).toBe(0);
    expect(output.stdout).toMatch(/^Output v1 \(out_\w+\) submitted: pending review\.\n$/);
    expect(sent.code, sent.stderr).toBe(0);
    const message = JSON.parse(sent.stdout);
    expect(message).toMatchObject({ to: "hitl", taskId: task.id, stepPosition: 8 });

    const answer = await s.request(`/api/v1/messages/${message.id}/reply`, { token: admin.token, body: { body: "Thanks, reading it now." } });
    expect(answer.status).toBe(201);
    const replyId = (await json(answer)).id;
    const [complete, inbox, reply] = await Promise.all([
      cli(["complete", task.id, "--summary", "Done"], { env }),
      cli(["inbox", "--unread"], { env }),
      cli(["reply", replyId, "--body", "You are welcome"], { env }),
    ]);
    expect(complete.stdout, complete.stderr).toBe(`Task ${task.id} is in review.\n`);
    expect(inbox.code, inbox.stderr).toBe(0);
    expect(inbox.stdout).toMatch(/\*\s+msg_\w+\s+.*Re: Report/);
    expect(reply.stdout).toMatch(/^Replied msg_\w+ to hitl\.\n$/);

    const t = await json(await s.request(`/api/v1/tasks/${task.id}`, { token: admin.token }));
    expect(t.status).toBe("in_review");
    expect(t.steps.every((st: { status: string }) => st.status === "done")).toBe(true);
    expect(t.outputs[0]).toMatchObject({ format: "markdown", files: [{ path: "src/a.ts" }, { path: "src/b.ts" }] });
  });

  test("errors print `code: message` on stderr and exit non-zero (1 for the API, 2 for usage)", slow, async () => {
    const token = s.agentToken("frontend-developer").token;
    const env = { AGENTDESK_TOKEN: token };
    const [notFound, invalid, noToken, missingArg, badStatus, badToken, unknownCommand] = await Promise.all([
      cli(["complete", "tsk_missing"], { env }),
      cli(["send", "--to", "nobody", "--type", "consultation", "--body", "hi"], { env }),
      cli(["tasks"]),
      cli(["step", "tsk_x", "1"], { env }),
      cli(["step", "tsk_x", "1", "finished"], { env }),
      cli(["tasks", "--token", "adk_wrong"]),
      cli(["fly"]),
    ]);
    expect(notFound.code).toBe(1);
    expect(notFound.stdout).toBe("");
    expect(notFound.stderr).toBe("not_found: Task tsk_missing not found\n");
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toBe("validation_failed: No agent or inbox named nobody (to: Unknown recipient nobody)\n");
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/^usage: No token/);
    expect(missingArg.code).toBe(2);
    expect(missingArg.stderr).toMatch(/^usage: missing required argument 'status'/);
    expect(badStatus.code).toBe(2);
    expect(badStatus.stderr).toMatch(/^usage: Status must be one of/);
    expect(badToken.code).toBe(1);
    expect(badToken.stderr).toMatch(/^unauthenticated: /);
    expect(unknownCommand.code).toBe(2);
    expect(unknownCommand.stderr).toMatch(/^usage: unknown command 'fly'/);
  });

  test("user create reads the password from stdin; user list; migrate; the bin launcher", slow, async () => {
    const fresh = path.join(s.dir, "fresh.db");
    const [created, short, migrate] = await Promise.all([
      cli(["user", "create", "--email", "cli.admin@example.com", "--role", "admin", "--name", "CLI", "--password-stdin"], {
        input: "correct horse battery staple\n",
      }),
      cli(["user", "create", "--email", "short@example.com", "--role", "viewer", "--password-stdin"], { input: "short" }),
      cli(["migrate"], { env: { DATABASE_PATH: fresh } }),
    ]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^Created admin cli\.admin@example\.com \(usr_\w+\)\.\n$/);
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/^validation_failed: Password: /);
    expect(migrate.code, migrate.stderr).toBe(0);
    expect(migrate.stdout).toMatch(/^Applied \d+ migrations? to .*fresh\.db\.\n$/);

    const [users, again] = await Promise.all([cli(["user", "list", "--json"]), cli(["migrate"], { env: { DATABASE_PATH: fresh }, viaBin: true })]);
    expect(JSON.parse(users.stdout).map((u: { email: string }) => u.email)).toContain("cli.admin@example.com");
    expect(again.stdout).toMatch(/is up to date\.\n$/);
  });

  test.skipIf(!fs.existsSync(path.join(repoRoot, "lib", "demo", "seed.ts")))("seed --demo fills a fresh database and prints the demo accounts", slow, async () => {
    const fresh = path.join(s.dir, "demo.db");
    const r = await cli(["seed", "--demo", "--json"], { env: { DATABASE_PATH: fresh } });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).users.length).toBeGreaterThan(0);
  });
});
