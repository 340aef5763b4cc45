// Two AgentDesk replicas on one PostgreSQL database (issue #21's "checked by"): both dashboards
// show the same tasks, a step reported through one replica appears live on a task page served by
// the other, and an agent's ten-step walk through either replica ends as the same walk on SQLite
// (the e2e server of playwright.config.ts). Runs in the Playwright project "pg", present when
// TEST_DATABASE_URL names a cluster.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test, expect, type APIRequestContext, type Page } from "@playwright/test";
import type { Db } from "@/db/client";
import { openPostgres } from "@/db/engine/pg";
import { DEMO_PASSWORD, seedDemo } from "@/lib/demo/seed";
import * as s from "@/lib/services";
import { adminQuery, databaseUrl } from "@/test/pg";
import { freePort } from "../scripts/free-port.mjs";
import { agentApi, agentDefinitionsWithManual, database as sqliteDatabase, MANUAL_AGENT, system } from "./support/fixtures";

interface Replica {
  name: string;
  url: string;
  proc: ChildProcess;
  log: () => string;
}

const dbName = `e2e_replicas_${process.pid}`;
let pg: Db;
let dir: string;
const replicas: Replica[] = [];

async function startReplica(name: string, url: string): Promise<Replica> {
  const port = (await freePort()) as number;
  let log = "";
  const proc = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: String(port),
      DATABASE_URL: url,
      DATABASE_PATH: "",
      AGENTDESK_REPLICA_ID: name,
      AGENTDESK_CONFIG: path.join(dir, "no-runners.json"),
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  proc.stdout!.on("data", (d) => (log += d));
  proc.stderr!.on("data", (d) => (log += d));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`replica ${name} exited ${proc.exitCode}:\n${log}`);
    const ok = await fetch(`${base}/api/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`replica ${name} not ready in 120 s:\n${log}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return { name, url: base, proc, log: () => log };
}

test.beforeAll(async () => {
  test.setTimeout(300_000);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-replicas-"));
  adminQuery(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  adminQuery(`CREATE DATABASE "${dbName}" TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C'`);
  const url = databaseUrl(dbName);
  pg = openPostgres(url); // migrated here; the replicas find nothing to apply
  seedDemo(pg);
  replicas.push(...(await Promise.all([startReplica("replica-a", url), startReplica("replica-b", url)])));
});

test.afterAll(async () => {
  await Promise.all(
    replicas.map(
      (r) =>
        new Promise<void>((resolve) => {
          if (r.proc.exitCode !== null) return resolve();
          r.proc.once("exit", () => resolve());
          r.proc.kill("SIGTERM");
        }),
    ),
  );
  pg?.$engine.close();
  adminQuery(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  fs.rmSync(dir, { recursive: true, force: true });
});

async function signIn(page: Page, base: string) {
  await page.goto(`${base}/sign-in`);
  await page.getByLabel(/email/i).fill("rex@agentdesk.local");
  await page.getByLabel(/password/i).fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: /sign in/i }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/sign-in"));
}

/**
 * The agent's ten steps: claim, each step in progress then done, complete. `via(i)` picks the
 * server of the i-th call, so on PostgreSQL the calls alternate between the replicas.
 */
async function walk(request: APIRequestContext, token: string, taskId: string, via: (i: number) => string, onStep?: (position: number, status: string) => Promise<void>) {
  let i = 0;
  const call = (p: string, data?: unknown) => agentApi(request, token).post(`${via(i++)}${p}`, data);
  expect((await call("/api/v1/tasks/claim", { taskId })).status()).toBe(200);
  for (let position = 1; position <= 10; position++) {
    for (const status of ["in_progress", "done"] as const) {
      const r = await call(`/api/v1/tasks/${taskId}/steps/${position}`, { status, note: `step ${position} ${status}` });
      expect(r.ok(), await r.text()).toBe(true);
      await onStep?.(position, status);
    }
  }
  const done = await call(`/api/v1/tasks/${taskId}/complete`, {});
  expect(done.ok(), await done.text()).toBe(true);
}

/** What a walk left: the task's state and its events' verbs in order (ids and times differ by nature). */
function outcome(db: Db, taskId: string) {
  const ctx = { db, actor: system };
  const task = s.getTask(ctx, taskId);
  return {
    status: task.status,
    steps: task.steps.map((st: { position: number; status: string; note?: string | null }) => [st.position, st.status, st.note ?? null]),
    verbs: s
      .listEvents(ctx, { taskId, limit: 500 })
      .map((e) => e.verb)
      .reverse(),
  };
}

test("two replicas on one PostgreSQL database: same tasks on both dashboards, a step reported to one appears live on the other, and a ten-step walk ends as on SQLite", async ({ page, request }) => {
  test.setTimeout(180_000);
  const [a, b] = replicas;
  // After the replicas' start-up sync (which knows only the agents on disk): the runner-less copy.
  s.syncAgents({ db: pg, actor: system }, agentDefinitionsWithManual());
  const inst = s.createInstruction({ db: pg, actor: system }, { title: "Replicated ledger" });
  const task = s.createTask({ db: pg, actor: system }, { instructionId: inst.id, title: "Walk through two replicas", assignedAgent: MANUAL_AGENT, authority: "autonomous" });
  const token = s.createToken({ db: pg, actor: system }, { agent: MANUAL_AGENT, label: "e2e replicas" }).token;

  // Signed in on A; the session (a cookie for the host, whatever the port) is good on B too: it is
  // in the database. The same tasks on both dashboards.
  await signIn(page, a.url);
  for (const r of [a, b]) {
    await page.goto(`${r.url}/tasks?instruction=${inst.id}`);
    expect(new URL(page.url()).pathname).toBe("/tasks");
    await expect(page.getByTestId("column-pending").getByTestId(`task-card-${task.id}`)).toBeVisible();
  }

  // The task page open on replica A; the agent talks to B, then A, then B...: every change shows
  // on A's page without a reload, whichever replica took it.
  await page.goto(`${a.url}/tasks/${task.id}`);
  await expect(page.getByTestId("live-indicator")).toHaveAttribute("data-state", "live");
  await page.evaluate(() => ((window as unknown as { __sameDocument?: boolean }).__sameDocument = true));
  await walk(
    request,
    token,
    task.id,
    (i) => (i % 2 === 0 ? b.url : a.url),
    async (position, status) => {
      await expect(page.getByTestId(`step-${position}`)).toHaveAttribute("data-status", status, { timeout: 5_000 });
    },
  );
  expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);

  // Both dashboards show it completed.
  for (const r of [a, b]) {
    await page.goto(`${r.url}/tasks?instruction=${inst.id}`);
    await expect(page.getByTestId("column-completed").getByTestId(`task-card-${task.id}`)).toBeVisible();
  }

  // The same walk on SQLite (playwright.config.ts's server) ends the same way.
  const lite = sqliteDatabase();
  s.syncAgents({ db: lite, actor: system }, agentDefinitionsWithManual());
  const liteInst = s.createInstruction({ db: lite, actor: system }, { title: "Replicated ledger" });
  const liteTask = s.createTask({ db: lite, actor: system }, { instructionId: liteInst.id, title: "Walk through two replicas", assignedAgent: MANUAL_AGENT, authority: "autonomous" });
  const liteToken = s.createToken({ db: lite, actor: system }, { agent: MANUAL_AGENT, label: "e2e replicas" }).token;
  await walk(request, liteToken, liteTask.id, () => "");
  const onPg = outcome(pg, task.id);
  expect(onPg.status).toBe("completed");
  expect(onPg.steps).toHaveLength(10);
  expect(onPg).toEqual(outcome(lite, liteTask.id));
  for (const r of replicas) expect(r.log()).not.toMatch(/"level":(50|60)/); // no error or fatal line
});
