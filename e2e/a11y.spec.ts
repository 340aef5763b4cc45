import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { test, expect, database, signIn, system } from "./support/fixtures";
import * as s from "@/lib/services";

// Issue #18: an accessibility check (axe) on every page, in light and dark themes: no serious or
// critical violation. Each failure lists the rule, its impact and the elements.

test.describe.configure({ timeout: 240_000 });

async function axe(page: Page, name: string) {
  // Let the page settle (client data, fonts): axe reads what is on screen.
  await page.waitForLoadState("networkidle").catch(() => {});
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]).analyze();
  const bad = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ page: name, rule: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(" ")} :: ${n.failureSummary?.split("\n")[1] ?? ""}`) }));
  return bad;
}

function ids() {
  const ctx = { db: database(), actor: system };
  const task = s.listTasks(ctx, { limit: 50 }).items.find((t) => t.status === "in_review") ?? s.listTasks(ctx, { limit: 1 }).items[0];
  const instruction = s.listInstructions(ctx, { limit: 1 }).items[0];
  const output = s.listReviewQueue(ctx, { limit: 1 }).items[0];
  const thread = s.listInbox(ctx, { inbox: "hitl", limit: 1 }).items[0];
  return { task: task.id, instruction: instruction.id, output: output?.id, thread: thread.threadId };
}

const pages = (i: ReturnType<typeof ids>) => [
  ["overview", "/"],
  ["board", "/tasks"],
  ["task", `/tasks/${i.task}`],
  ["instructions", "/instructions"],
  ["instruction", `/instructions/${i.instruction}`],
  ["new instruction", "/instructions/new"],
  ["review queue", "/outputs"],
  ...(i.output ? [["output review", `/outputs/${i.output}`]] : []),
  ["inbox", "/inbox/hitl"],
  ["thread", `/inbox/hitl/${i.thread}`],
  ["agents", "/agents"],
  ["agent", "/agents/backend-developer"],
  ["search", "/search?q=orders"],
  ["settings", "/settings"],
  ["not found", "/tasks/tsk_does_not_exist"],
];

for (const theme of ["light", "dark"] as const) {
  test(`no serious or critical axe violation on any page (${theme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: theme });
    const found: Awaited<ReturnType<typeof axe>> = [];

    // Signed out: the sign-in page, and setup (a 404 once someone has an account).
    await page.goto("/sign-in");
    await expect(page.getByLabel(/email/i)).toBeVisible();
    found.push(...(await axe(page, "sign-in")));
    await page.goto("/setup");
    found.push(...(await axe(page, "setup")));

    // The admin sees every page (settings included).
    await signIn(page, "ada@agentdesk.local");
    for (const [name, url] of pages(ids())) {
      await page.goto(url);
      await expect(page.locator("main")).toBeVisible();
      found.push(...(await axe(page, name)));
    }

    // The overlays: palette, assign work, shortcuts; and the sidebar's rail at 768 px.
    await page.goto("/");
    await page.keyboard.press("Control+k");
    await expect(page.getByRole("dialog", { name: "Command palette" })).toBeVisible();
    found.push(...(await axe(page, "command palette")));
    await page.getByRole("option", { name: /Assign work/ }).click();
    await expect(page.getByTestId("assign-work-dialog")).toBeVisible();
    found.push(...(await axe(page, "assign work")));
    await page.keyboard.press("Escape");
    await page.getByTestId("shortcuts-button").click();
    await expect(page.getByTestId("shortcuts-overlay")).toBeVisible();
    found.push(...(await axe(page, "shortcuts")));
    await page.keyboard.press("Escape");
    await page.goto("/tasks?new=1");
    await expect(page.getByTestId("new-task-sheet")).toBeVisible();
    found.push(...(await axe(page, "new task sheet")));
    await page.setViewportSize({ width: 768, height: 900 });
    await page.goto("/");
    found.push(...(await axe(page, "overview at 768 px")));

    expect(found, JSON.stringify(found, null, 2)).toEqual([]);
  });
}
