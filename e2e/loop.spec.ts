import { test, expect, signIn, database, system, quiet } from "./support/fixtures";
import { createInstruction, createTask, getTask, listTasks } from "@/lib/services";
import type { Page } from "@playwright/test";

// The loop around runs, through the browser where a person acts. In the e2e config
// (e2e/support/agentdesk.config.json) backend-developer and frontend-developer run the REAL Claude
// Code CLI (preset claude-code, autoStart, so wakes too) against the scripted Anthropic stand-in that
// e2e/support/start-server.ts serves (test/agents/anthropic-stub.ts + claude-policy.ts). A marker in
// the task's description picks what the scripted model does: [e2e:escalate], [e2e:consult].
//
// a. assigned in the browser → run 1 walks the ten steps live → v1 in review → changes requested in
//    the browser → round 2 by itself (woken, continued session) → v2 → approved → completed, cost shown
// b. an escalation answered in the inbox wakes the agent on its blocked task, which reaches review
// c. a consultation wakes frontend-developer (a run that answered messages), whose answer wakes
//    backend-developer on its task, which reaches review

const ctx = () => ({ db: database(), actor: system });
const shot = (name: string) => test.info().outputPath(`${name}.png`);
const RUN_MS = 150_000;

type RunRow = { id: string; status: string; trigger: string; agent_name: string; task_id: string | null; session_id: string | null; resume_session_id: string | null; reason: string | null };
const sql = <T>(q: string, ...args: unknown[]) =>
  database()
    .$client.prepare(q)
    .all(...args) as T[];
const runsOf = (taskId: string) => sql<RunRow>("SELECT * FROM runs WHERE task_id = ? ORDER BY created_at, rowid", taskId);
const ended = (r: RunRow | undefined) => !!r && r.status !== "queued" && r.status !== "running";
const taskRow = (taskId: string) => sql<{ status: string; round: number; blocked_reason: string | null }>("SELECT status, round, blocked_reason FROM tasks WHERE id = ?", taskId)[0];

/** What runs and wakes there are, for a failure message. */
function diagnostics(): string {
  const runs = sql<Record<string, unknown>>("SELECT id, task_id, agent_name, status, trigger, reason, wake_reason FROM runs ORDER BY created_at DESC LIMIT 8");
  const wakes = sql<Record<string, unknown>>("SELECT agent_name, task_id, kind, status, reason FROM wakes ORDER BY created_at DESC LIMIT 8");
  return `runs: ${JSON.stringify(runs, null, 1)}\nwakes: ${JSON.stringify(wakes, null, 1)}`;
}

/** The n-th run (1-based) of a task, once it has ended. */
async function endedRun(taskId: string, n: number): Promise<RunRow> {
  await expect.poll(() => ended(runsOf(taskId)[n - 1]), { timeout: RUN_MS, message: `run ${n} of ${taskId} to end\n${diagnostics()}` }).toBe(true);
  return runsOf(taskId)[n - 1];
}

/** An instruction of its own per case: an instruction whose tasks are all approved is completed and takes no new task. */
const newInstruction = (what: string) => createInstruction(ctx(), { title: `${what} (e2e loop ${Date.now().toString(36)})`, body: "Add orders to the shop backend.", tier: 2 }).id;

function newTask(title: string, description: string) {
  return createTask(ctx(), {
    instructionId: newInstruction(title),
    title,
    description,
    assignedAgent: "backend-developer",
    acceptanceCriteria: ["Validates input", "Returns the order"],
    filesToCreate: ["src/orders.ts"],
    authority: "review_required",
  });
}

/** A marker on the window: a reload (or a navigation) would wipe it. */
const markDocument = (page: Page) => page.evaluate(() => ((window as unknown as { __sameDocument?: boolean }).__sameDocument = true));
const sameDocument = (page: Page) => page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument === true);

test.describe("the loop, with the real Claude Code CLI and a person in the browser", () => {
  test.describe.configure({ timeout: 420_000 });
  // Agents woken by earlier specs (a reply in the inbox wakes backend-developer) have finished first.
  test.beforeEach(async () => {
    await quiet(RUN_MS);
  });

  test("a. assigned in the browser, the run fills the steps live; changes requested in the browser wake the agent for round 2 in the same session; v2 approved", async ({ page, consoleErrors }) => {
    const stamp = Date.now().toString(36);
    const instructionId = newInstruction("Orders service");

    // Assign the task in the browser (the new-task sheet on the instruction page).
    await signIn(page);
    await page.goto(`/instructions/${instructionId}`);
    await page.getByRole("button", { name: "Assign task" }).first().click();
    const sheet = page.getByTestId("new-task-sheet");
    await expect(sheet).toBeVisible();
    const title = `Build POST /orders ${stamp}`;
    await sheet.getByLabel("Title").fill(title);
    await sheet.locator("#agent-backend-developer").check();
    await sheet.getByLabel("Acceptance criterion").first().fill("Validates input");
    await page.screenshot({ path: shot("loop-a-assign") });
    await sheet.getByRole("button", { name: "Assign task" }).click();
    await expect(page.getByText(/assigned to backend-developer/)).toBeVisible();
    const task = listTasks(ctx(), { instructionId }).items.find((t) => t.title === title)!;
    expect(task).toBeTruthy();

    // The task page: the run starts by itself (on assignment) and the steps fill in without reload.
    await page.goto(`/tasks/${task.id}`);
    await markDocument(page);
    const panel = page.getByTestId("run-panel");
    await expect(panel.getByTestId("runner-summary")).toContainText("claude-code");
    await expect(panel.getByTestId("runner-summary")).toContainText("starts on assignment");
    const rows = panel.getByTestId("run-row");
    await expect(rows).toHaveCount(1, { timeout: 30_000 });
    const doneAtFirstSight = await page.locator('[data-testid^="step-"][data-status="done"]').count();
    test.info().annotations.push({ type: "steps done when the page first showed", description: String(doneAtFirstSight) });
    await expect(page.getByTestId("step-1")).toHaveAttribute("data-status", /in_progress|done/, { timeout: 60_000 });
    await page.screenshot({ path: shot("loop-a-run1-live") });
    await expect(page.getByTestId("step-10")).toHaveAttribute("data-status", "done", { timeout: RUN_MS });
    for (let i = 1; i <= 10; i++) await expect(page.getByTestId(`step-${i}`)).toHaveAttribute("data-status", "done");
    await expect(rows.first()).toHaveAttribute("data-run-status", "succeeded", { timeout: 60_000 });
    await expect(page.getByTestId("task-status")).toContainText("in review");
    await expect(rows.first().getByTestId("run-session")).toHaveAttribute("data-session-state", "new");
    await expect(rows.first().getByTestId("run-cost")).toContainText("$");
    expect(await sameDocument(page), "the steps filled in without a reload").toBe(true);
    await page.screenshot({ path: shot("loop-a-run1-done"), fullPage: true });

    const run1 = (await endedRun(task.id, 1))!;
    expect(run1, diagnostics()).toMatchObject({ status: "succeeded", trigger: "auto" });
    const v1 = getTask(ctx(), task.id).outputs.find((o) => o.version === 1)!;
    expect(v1).toMatchObject({ status: "pending_review" });

    // Request changes in the browser (the review page).
    await page.goto(`/outputs/${v1.id}`);
    const review = page.getByTestId("output-review");
    await expect(review).toHaveAttribute("data-status", "pending_review");
    await review.getByRole("button", { name: /Request changes/ }).click();
    const dialog = page.getByRole("dialog", { name: /Request changes on v1/ });
    await expect(dialog).toBeVisible();
    const comment = `Validate the quantity too (e2e ${stamp}).`;
    await dialog.getByTestId("review-comment").fill(comment);
    await page.screenshot({ path: shot("loop-a-request-changes") });
    await dialog.getByRole("button", { name: "Request changes" }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByText("Changes requested on v1")).toBeVisible();

    // Round 2 fills in by itself: the agent is woken and continues its session.
    await page.goto(`/tasks/${task.id}`);
    await markDocument(page);
    const current = page.getByTestId("step-round-current");
    await expect(current).toHaveAttribute("data-round", "2");
    await expect(current).toContainText("Round 2");
    const round1 = page.getByTestId("step-round-1");
    await expect(round1).toBeVisible();
    await expect(round1).not.toHaveAttribute("open", /.*/);
    await expect(round1).toContainText("Round 1");
    await expect(rows).toHaveCount(2, { timeout: 30_000 });
    const run2Row = rows.first(); // newest first
    await expect(run2Row.getByTestId("run-wake")).toHaveText("woken");
    await expect(run2Row.getByTestId("run-round")).toHaveAttribute("data-round", "2");
    await expect(page.getByTestId("step-10")).toHaveAttribute("data-status", "done", { timeout: RUN_MS });
    await expect(run2Row).toHaveAttribute("data-run-status", "succeeded", { timeout: 60_000 });
    await expect(page.getByTestId("task-status")).toContainText("in review");
    await expect(page.getByTestId("step-8")).toHaveAttribute("data-status", "skipped");
    for (const i of [1, 2, 3, 4, 5, 6, 7, 9, 10]) await expect(page.getByTestId(`step-${i}`)).toHaveAttribute("data-status", "done");
    await expect(run2Row.getByTestId("run-session")).toHaveAttribute("data-session-state", "continued");
    await expect(run2Row.getByTestId("run-session")).toContainText("continued session");
    await expect(run2Row.getByTestId("run-wake-reason")).toContainText("changes requested by rex@agentdesk.local");
    await expect(run2Row.getByTestId("run-cost")).toContainText("$");
    expect(await sameDocument(page), "round 2 filled in without a reload").toBe(true);

    // The transcript of run 2 (selected: the newest) shows the tool calls.
    const transcript = panel.getByTestId("run-transcript");
    await expect(transcript).toBeVisible();
    await expect(transcript.getByTestId("transcript-tool").first()).toBeVisible();
    await expect(transcript.getByTestId("transcript-tool").filter({ hasText: "update_step" }).first()).toBeVisible();
    await expect(transcript.getByTestId("transcript-tool").filter({ hasText: "submit_output" })).toHaveCount(1);
    await page.screenshot({ path: shot("loop-a-round2-steps") });
    await panel.scrollIntoViewIfNeeded();
    await page.screenshot({ path: shot("loop-a-round2-transcript") });
    await round1.locator("summary").click();
    await expect(round1).toHaveAttribute("open", "");
    await expect(page.getByTestId("step-round-1-10")).toHaveAttribute("data-status", "done");
    await round1.scrollIntoViewIfNeeded();
    await page.screenshot({ path: shot("loop-a-round1-unfolded") });

    const run2 = (await endedRun(task.id, 2))!;
    expect(run2, diagnostics()).toMatchObject({ status: "succeeded", trigger: "wake", resume_session_id: run1.session_id, session_id: run1.session_id });

    // v2 is approved in the browser: the task is completed, nobody is woken for it.
    const v2 = getTask(ctx(), task.id).outputs.find((o) => o.version === 2)!;
    expect(v2).toMatchObject({ status: "pending_review" });
    await page.goto(`/outputs/${v2.id}`);
    await expect(review).toHaveAttribute("data-status", "pending_review");
    await expect(review.getByRole("heading", { level: 1 }).first()).toContainText("v2 of 2");
    await expect(review.getByTestId("output-history")).toContainText(comment);
    await review.getByRole("button", { name: /^Approve/ }).click();
    await expect(page.getByText(/Approved v2/)).toBeVisible();
    expect(taskRow(task.id).status).toBe("completed");
    await page.goto(`/tasks/${task.id}`);
    await expect(page.getByTestId("task-status")).toContainText("completed");
    await expect(rows).toHaveCount(2);
    await expect(rows.getByTestId("run-cost")).toHaveCount(2);
    await page.screenshot({ path: shot("loop-a-completed"), fullPage: true });
    await quiet(RUN_MS);
    expect(runsOf(task.id)).toHaveLength(2);
    expect(consoleErrors).toEqual([]);
  });

  test("b. an escalation answered in the inbox wakes the agent on its blocked task, which reaches review", async ({ page, consoleErrors }) => {
    const task = newTask(`Build DELETE /orders/:id ${Date.now().toString(36)}`, "Delete an order. [e2e:escalate]");
    const run1 = await endedRun(task.id, 1);
    expect(run1, diagnostics()).toMatchObject({ status: "succeeded", trigger: "auto" });
    expect(taskRow(task.id)).toMatchObject({ status: "blocked", blocked_reason: expect.stringContaining("no owner column") });
    const escalation = getTask(ctx(), task.id).messages.find((m) => m.type === "escalation" && m.from.name === "backend-developer")!;
    expect(escalation).toMatchObject({ to: "hitl", stepPosition: 2 });

    await signIn(page);
    await page.goto(`/tasks/${task.id}`);
    await expect(page.getByTestId("task-status")).toContainText("blocked");
    await page.screenshot({ path: shot("loop-b-blocked") });

    // The people's inbox: open the escalation and answer it.
    await page.goto("/inbox");
    await expect(page).toHaveURL(/\/inbox\/hitl$/);
    const item = page.getByTestId(`thread-item-${escalation.threadId}`);
    await expect(item).toBeVisible();
    await item.click();
    await expect(page).toHaveURL(new RegExp(`/inbox/hitl/${escalation.threadId}$`));
    const thread = page.getByTestId("thread-view");
    await expect(thread).toContainText("no owner column");
    const answer = "Orders belong to the user who placed them: add an owner_id column.";
    await page.getByTestId("reply-box").fill(answer);
    await thread.getByRole("button", { name: "Send reply" }).click();
    await expect(thread.getByRole("listitem").filter({ hasText: "add an owner_id column" })).toBeVisible();
    await page.screenshot({ path: shot("loop-b-inbox-answered") });

    // The answer wakes backend-developer on its task: it walks on and hands in.
    await page.goto(`/tasks/${task.id}`);
    await markDocument(page);
    const rows = page.getByTestId("run-panel").getByTestId("run-row");
    await expect(rows).toHaveCount(2, { timeout: 30_000 });
    await expect(rows.first().getByTestId("run-wake")).toBeVisible();
    await expect(rows.first().getByTestId("run-wake-reason")).toContainText("rex@agentdesk.local answered");
    await expect(page.getByTestId("task-status")).toContainText("in review", { timeout: RUN_MS });
    await expect(rows.first()).toHaveAttribute("data-run-status", "succeeded", { timeout: 60_000 });
    await expect(rows.first().getByTestId("run-session")).toHaveAttribute("data-session-state", "continued");
    for (let i = 1; i <= 10; i++) await expect(page.getByTestId(`step-${i}`)).toHaveAttribute("data-status", "done");
    expect(await sameDocument(page)).toBe(true);
    await page.screenshot({ path: shot("loop-b-in-review"), fullPage: true });

    const run2 = await endedRun(task.id, 2);
    expect(run2, diagnostics()).toMatchObject({ status: "succeeded", trigger: "wake", resume_session_id: run1.session_id });
    await quiet(RUN_MS);
    expect(runsOf(task.id)).toHaveLength(2);
    expect(consoleErrors).toEqual([]);
  });

  test("c. a consultation wakes frontend-developer (a run that answers messages); its answer wakes backend-developer, whose task reaches review", async ({ page, consoleErrors }) => {
    const frontBefore = sql<RunRow>("SELECT * FROM runs WHERE agent_name = 'frontend-developer' AND task_id IS NULL").length;
    const task = newTask(`Build GET /orders ${Date.now().toString(36)}`, "List orders. [e2e:consult]");

    await signIn(page);
    await page.goto(`/tasks/${task.id}`);
    await markDocument(page);
    // The blocked spell (consultation sent → answered by frontend-developer's run → woken) can be
    // shorter than a page load: the database says it happened, the page shows the rest live.
    await expect.poll(() => getTask(ctx(), task.id).messages.find((m) => m.type === "consultation"), { timeout: RUN_MS, message: diagnostics() }).toBeTruthy();
    await page.screenshot({ path: shot("loop-c-consulting") });
    const question = getTask(ctx(), task.id).messages.find((m) => m.type === "consultation")!;
    expect(question).toMatchObject({ from: { name: "backend-developer" }, to: "frontend-developer", stepPosition: 4 });

    // frontend-developer is woken without a task, answers, and that answer wakes backend-developer.
    const rows = page.getByTestId("run-panel").getByTestId("run-row");
    await expect(rows).toHaveCount(2, { timeout: RUN_MS });
    await expect(rows.first().getByTestId("run-wake-reason")).toContainText("frontend-developer answered");
    await expect(page.getByTestId("task-status")).toContainText("in review", { timeout: RUN_MS });
    await expect(rows.first()).toHaveAttribute("data-run-status", "succeeded", { timeout: 60_000 });
    for (let i = 1; i <= 10; i++) await expect(page.getByTestId(`step-${i}`)).toHaveAttribute("data-status", "done");
    expect(await sameDocument(page)).toBe(true);
    await page.screenshot({ path: shot("loop-c-in-review"), fullPage: true });

    const fronts = sql<RunRow>("SELECT * FROM runs WHERE agent_name = 'frontend-developer' AND task_id IS NULL ORDER BY created_at");
    expect(fronts, diagnostics()).toHaveLength(frontBefore + 1);
    const front = fronts.at(-1)!;
    expect(front).toMatchObject({ status: "succeeded", trigger: "wake" });

    // The agent page of frontend-developer shows the run that answered messages.
    await page.goto("/agents/frontend-developer");
    const agentRun = page
      .getByTestId("agent-runs")
      .getByTestId("agent-run")
      .filter({ has: page.getByTestId("agent-run-messages") })
      .first();
    await expect(agentRun).toBeVisible();
    await expect(agentRun).toHaveAttribute("data-run-status", "succeeded");
    await expect(agentRun.getByTestId("agent-run-messages")).toHaveText("answered messages");
    await expect(agentRun.getByTestId("run-wake")).toBeVisible();
    await expect(agentRun.getByTestId("run-wake-reason")).toContainText("backend-developer sent a consultation: Order payload shape");
    await agentRun.scrollIntoViewIfNeeded();
    await page.screenshot({ path: shot("loop-c-frontend-agent-page") });

    const blocked = sql<{ n: number }>("SELECT count(*) AS n FROM events WHERE verb = 'task.blocked' AND task_id = ?", task.id)[0].n;
    expect(blocked, "backend-developer blocked its task while it waited for the answer").toBe(1);
    await quiet(RUN_MS);
    expect(runsOf(task.id)).toHaveLength(2);
    expect(consoleErrors).toEqual([]);
  });
});
