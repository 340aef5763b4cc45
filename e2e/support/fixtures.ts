import { test as base, expect, type Page, type APIRequestContext } from "@playwright/test";
import { openDatabase, type SqliteDb as Db } from "@/db/client";
import { createToken, syncAgents, type ServiceContext } from "@/lib/services";
import { agentDirsFromEnv, loadAgentDefinitions, type AgentDefinition } from "@/lib/agents";
import { DEMO_PASSWORD } from "@/lib/demo/seed";
import { e2eDatabase } from "../../playwright.config";

export { expect };

let shared: Db | null = null;
/** The server's own database file, opened from the test process (WAL: a second process may read and write). */
export function database(): Db {
  shared ??= openDatabase(e2eDatabase, { migrate: false });
  return shared;
}

export const system: ServiceContext["actor"] = { kind: "system", name: "e2e" };

/** Mints a bearer token for an agent, as an admin would with `agentdesk token create`. */
export function agentToken(agent: string): string {
  return createToken({ db: database(), actor: system }, { agent, label: "e2e" }).token;
}

/**
 * An agent WITHOUT a runner, for specs that play the agent themselves through the API: in the e2e
 * config (e2e/support/agentdesk.config.json) backend-developer and frontend-developer run the real
 * Claude Code CLI with autoStart and security-specialist a fake agent, so a task created for any of
 * them starts a run that would race the spec. A copy of backend-developer's definition (the same ten
 * steps) under another name, registered in the database only.
 */
export const MANUAL_AGENT = "manual-developer";

/** The agents on disk plus the runner-less copy, for a spec that syncs agents itself (security.spec.ts). */
export function agentDefinitionsWithManual(): AgentDefinition[] {
  const onDisk = loadAgentDefinitions(agentDirsFromEnv()).agents;
  const backend = onDisk.find((a) => a.name === "backend-developer");
  if (!backend) throw new Error("agents/backend-developer.md is missing");
  const manual: AgentDefinition = {
    ...backend,
    name: MANUAL_AGENT,
    title: "Manual Developer (e2e: played by the spec, no runner)",
    extra: Object.fromEntries(Object.entries(backend.extra ?? {}).filter(([k]) => k !== "runner")),
    sourcePath: backend.sourcePath.replace(/backend-developer\.md$/, `${MANUAL_AGENT}.md`),
  };
  return [...onDisk.filter((a) => a.name !== MANUAL_AGENT), manual];
}

/** Registers MANUAL_AGENT (idempotent) and returns its name. */
export function manualAgent(): string {
  syncAgents({ db: database(), actor: system }, agentDefinitionsWithManual());
  return MANUAL_AGENT;
}

/** Runs and wakes as the server's supervisor sees them (the shared database). */
export function activity(): { active: number; pendingWakes: number } {
  const row = database()
    .$client.prepare("SELECT (SELECT count(*) FROM runs WHERE status IN ('queued','running')) AS active, (SELECT count(*) FROM wakes WHERE status = 'pending') AS pendingWakes")
    .get() as { active: number; pendingWakes: number };
  return row;
}

/** Waits until no run is queued or running and no wake is pending (agents woken by an earlier spec are done). */
export async function quiet(timeoutMs = 120_000) {
  await expect.poll(() => activity(), { timeout: timeoutMs, intervals: [250, 500, 1000] }).toEqual({ active: 0, pendingWakes: 0 });
}

export async function signIn(page: Page, email = "rex@agentdesk.local") {
  await page.goto("/sign-in");
  await page.getByLabel(/email/i).fill(email);
  await page.getByLabel(/password/i).fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: /sign in/i }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/sign-in"));
}

/** An agent's client: plain HTTP with its bearer token, the way a real agent process calls us. */
export function agentApi(request: APIRequestContext, token: string) {
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  return {
    get: (url: string) => request.get(url, { headers }),
    post: (url: string, data?: unknown) => request.post(url, { headers, data: data ?? {} }),
  };
}

/** Collects console errors and page errors; a test asserts it stays empty. */
export const test = base.extend<{ consoleErrors: string[] }>({
  consoleErrors: async ({ page }, provide) => {
    const errors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(String(e)));
    await provide(errors);
  },
});
