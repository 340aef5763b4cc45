import { test as base, expect, type Page, type APIRequestContext } from "@playwright/test";
import { openDatabase, type Db } from "@/db/client";
import { createToken, type ServiceContext } from "@/lib/services";
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
