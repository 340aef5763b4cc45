import { test, expect, signIn, database, system, manualAgent } from "./support/fixtures";
import { createInstruction, createTask } from "@/lib/services";

// The e2e server reads e2e/support/agentdesk.config.json (AGENTDESK_CONFIG in playwright.config.ts):
// security-specialist runs test/agents/fake-agent.ts with autoStart, slowly enough to watch
// (backend-developer and frontend-developer run Claude Code: e2e/loop.spec.ts).

test.describe("runner", () => {
  test("assigning a task to an agent with a runner starts the work: the run, its live log, the steps, the output in review", async ({ page, consoleErrors }) => {
    test.setTimeout(120_000);
    const ctx = { db: database(), actor: system };
    const stamp = Date.now().toString(36);
    const inst = createInstruction(ctx, { title: `Login hardening ${stamp}`, body: "Review the new login form before release.", tier: 1 });
    // Created for an agent without a runner (nothing starts), then assigned in the browser.
    const task = createTask(ctx, {
      instructionId: inst.id,
      title: `Security review of the login form ${stamp}`,
      description: "Check the login form and its session handling.",
      assignedAgent: manualAgent(),
      acceptanceCriteria: ["Findings rated by severity", "A verdict is given"],
      filesToModify: ["app/sign-in/page.tsx"],
      authority: "review_required",
    });

    await signIn(page);
    await page.goto(`/tasks/${task.id}`);
    const panel = page.getByTestId("run-panel");
    await expect(panel, "the RunPanel (components/runs/run-panel.tsx) must be mounted on the task page").toBeVisible();
    // (generous: on a loaded machine, after the Claude Code runs of loop.spec.ts, the first load of the runs can be slow)
    await expect(panel.getByTestId("runner-missing")).toContainText("No runner is configured for manual-developer", { timeout: 30_000 });
    await expect(panel.getByTestId("run-now")).toBeDisabled();

    // Assign it to security-specialist, whose runner starts on assignment.
    await page.getByTestId("reassign-task").click();
    await page.getByLabel("New agent").selectOption("security-specialist");
    await page.getByRole("button", { name: "Reassign", exact: true }).click();

    const row = panel.getByTestId("run-row").first();
    await expect(row).toBeVisible();
    await expect(panel.getByTestId("runner-summary")).toContainText("starts on assignment");
    await expect(row).toHaveAttribute("data-run-status", "running", { timeout: 20_000 });
    await expect(panel.getByTestId("cancel-run")).toBeVisible();

    // The log streams while the steps fill in.
    const log = panel.getByTestId("run-log");
    await expect(log).toContainText("claimed", { timeout: 30_000 });
    await expect(log).toContainText("step 2: Map the attack surface", { timeout: 20_000 });
    await expect(page.getByTestId("step-1")).toHaveAttribute("data-status", "done");
    await expect(page.getByTestId("step-1-note")).toContainText("fake agent");
    await expect(row).toHaveAttribute("data-run-status", "running");
    await expect(page.getByTestId("step-8")).toHaveAttribute("data-status", "pending");
    await page.screenshot({ path: test.info().outputPath("runner-live-steps.png") });
    await panel.scrollIntoViewIfNeeded();
    await page.screenshot({ path: test.info().outputPath("runner-live-log.png") });
    // More lines arrive while we watch.
    const seen = (await log.textContent())?.length ?? 0;
    await expect.poll(async () => (await log.textContent())?.length ?? 0, { timeout: 20_000 }).toBeGreaterThan(seen);

    // Search highlights matches in the output.
    const search = panel.getByTestId("run-log-search");
    await search.fill("attack surface");
    await expect(log.locator("mark").first()).toHaveText(/attack surface/i);
    await expect(panel.getByTestId("run-log-matches")).toHaveText(/^1\/\d+$/);
    await search.fill("");

    // The run ends by itself: every step done, the output awaiting review.
    await expect(row).toHaveAttribute("data-run-status", "succeeded", { timeout: 60_000 });
    await expect(row.getByTestId("run-exit")).toHaveText("exit 0");
    await expect(log).toContainText("task is in_review");
    await expect(log).toContainText("exit code 0");
    await expect(page.getByTestId("task-status")).toContainText("in review");
    for (let i = 1; i <= 8; i++) await expect(page.getByTestId(`step-${i}`)).toHaveAttribute("data-status", "done");
    await expect(page.getByRole("complementary", { name: "Task details" }).getByText("awaiting review")).toBeVisible();
    await expect(panel.getByTestId("cancel-run")).toHaveCount(0);
    // In review: nothing left to run, and the button says so.
    await expect(panel.getByTestId("run-now")).toBeDisabled();
    await expect(panel.getByTestId("run-now")).toHaveAttribute("title", /in review/);
    await panel.scrollIntoViewIfNeeded();
    await page.screenshot({ path: test.info().outputPath("runner-done.png") });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: test.info().outputPath("runner-done-steps.png") });

    expect(consoleErrors).toEqual([]);
  });
});
