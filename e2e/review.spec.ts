import { test, expect, signIn, agentToken, agentApi, database, system, manualAgent } from "./support/fixtures";
import { createInstruction, createTask } from "@/lib/services";

type Task = { id: string; status: string; round: number; steps: { position: number; status: string }[] };
type Msg = { type: string; body: string; taskId: string | null; from: { kind: string; name: string } };

test.describe("review", () => {
  // Production pages on this small machine take seconds each; these tests walk through many.
  test.describe.configure({ timeout: 180_000 });
  test("approve v2 of the dual keys output: it is approved and its task completed", async ({ page, request, consoleErrors }) => {
    await signIn(page);
    await page.goto("/outputs");
    const queue = page.getByTestId("review-queue");
    await expect(queue).toBeVisible();
    await queue.getByRole("link", { name: /Dual API keys during rotation/ }).click();
    await expect(page).toHaveURL(/\/outputs\/out_/);
    const outputId = page.url().split("/outputs/")[1].split("?")[0];

    const review = page.getByTestId("output-review");
    await expect(review.getByRole("heading", { level: 1 })).toContainText("Dual API keys during rotation");
    await expect(review.getByRole("heading", { level: 1 })).toContainText("v2 of 2");
    await expect(review).toHaveAttribute("data-status", "pending_review");
    await expect(review.getByTestId("output-rendered")).toContainText("Every lookup checks");
    await expect(review.getByTestId("output-files")).toContainText("lib/auth/api-keys.ts");
    // the v1 review with its comment is in the history
    await expect(review.getByTestId("output-history")).toContainText("describe what happens when a third rotation");

    // The diff tab: previous ↔ current by default, lines added in green with a + gutter.
    await review.getByRole("tab", { name: "Diff" }).click();
    await expect(page).toHaveURL(/view=diff/);
    const diff = review.getByTestId("output-diff");
    await expect(diff.locator('tr[data-diff="add"]', { hasText: "A third rotation inside the window" })).toBeVisible();
    await page.screenshot({ path: test.info().outputPath("review-diff.png") });

    const taskHref = await review.getByTestId("output-task-link").getAttribute("href");
    const taskId = decodeURIComponent(taskHref!.split("/tasks/")[1]);

    // `a` approves; the page moves on to the next item of the queue.
    await page.keyboard.press("a");
    await expect(page.getByText(/Approved v2 of “Dual API keys during rotation”/)).toBeVisible();
    await expect(page).not.toHaveURL(new RegExp(`/outputs/${outputId}`));
    await expect(queue.getByRole("link", { name: /Dual API keys during rotation/ })).toHaveCount(0);

    // Through the UI: approved, no more actions, the reason said.
    await page.goto(`/outputs/${outputId}`);
    await expect(review).toHaveAttribute("data-status", "approved");
    await expect(review.getByRole("button", { name: /^Approve/ })).toBeDisabled();
    await expect(review.getByTestId("review-disabled-reason")).toContainText("Approved by rex@agentdesk.local");
    await expect(review.getByText("task completed")).toBeVisible();
    await page.screenshot({ path: test.info().outputPath("review-approved.png") });

    // Through the agent API: the task is completed.
    const agent = agentApi(request, agentToken("backend-developer"));
    const task = (await (await agent.get(`/api/v1/tasks/${taskId}`)).json()) as Task;
    expect(task.status).toBe("completed");

    expect(consoleErrors).toEqual([]);
  });

  test("request changes with a comment: it reaches the agent's inbox and the task is pending again in round 2", async ({ page, request }) => {
    // A fresh task, walked by the agent through the API up to review. The agent has no runner (this
    // test plays it; backend-developer would start Claude Code on assignment: e2e/loop.spec.ts).
    const ctx = { db: database(), actor: system };
    const stamp = Date.now();
    const inst = createInstruction(ctx, { title: `E2E review ${stamp}`, body: "Review flow", tier: 1 });
    const agentName = manualAgent();
    const created = createTask(ctx, { instructionId: inst.id, title: `Export orders as JSON ${stamp}`, assignedAgent: agentName, authority: "review_required", priority: "high" });
    const agent = agentApi(request, agentToken(agentName));
    expect((await agent.post("/api/v1/tasks/claim", { taskId: created.id })).status()).toBe(200);
    const submitted = await agent.post(`/api/v1/tasks/${created.id}/outputs`, {
      format: "json",
      content: JSON.stringify({ orders: [{ id: 1, total: 1299 }], next: null }),
      files: [{ path: "lib/orders/export.ts", action: "created", additions: 20, deletions: 0 }],
    });
    expect(submitted.status()).toBe(201);
    const output = (await submitted.json()) as { id: string };
    const walked = (await (await agent.get(`/api/v1/tasks/${created.id}`)).json()) as Task;
    for (const s of walked.steps) {
      expect((await agent.post(`/api/v1/tasks/${created.id}/steps/${s.position}`, { status: "skipped", note: "e2e" })).ok()).toBe(true);
    }
    const completed = await agent.post(`/api/v1/tasks/${created.id}/complete`, {});
    expect(((await completed.json()) as Task).status).toBe("in_review");

    await signIn(page);
    await page.goto(`/outputs/${output.id}`);
    const review = page.getByTestId("output-review");
    await expect(review).toHaveAttribute("data-status", "pending_review");
    // JSON is highlighted on the server, pretty-printed.
    await expect(review.getByTestId("rendered-code")).toContainText('"total": 1299');

    // `r` opens the dialog (once the page has hydrated; its code loads on the first opening, so it
    // may take a moment to show: `r` again only while it is not there, else it would be typed into
    // the comment); the comment is required.
    const dialog = page.getByRole("dialog", { name: /Request changes on v1/ });
    await expect(async () => {
      if (!(await dialog.isVisible())) await page.keyboard.press("r");
      await expect(dialog).toBeVisible({ timeout: 2_000 });
    }).toPass();
    await dialog.getByRole("button", { name: "Request changes" }).click();
    await expect(dialog.getByText("Say what needs to change")).toBeVisible();
    const comment = `Add the currency to every total (e2e ${stamp}).`;
    await dialog.getByTestId("review-comment").fill(comment);
    await page.screenshot({ path: test.info().outputPath("review-request-changes.png") });
    await dialog.getByRole("button", { name: "Request changes" }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByText("Changes requested on v1")).toBeVisible();

    await page.goto(`/outputs/${output.id}`);
    await expect(review).toHaveAttribute("data-status", "changes_requested");
    await expect(review.getByTestId("output-history")).toContainText(comment);
    await expect(review.getByRole("button", { name: /Request changes/ })).toBeDisabled();
    await page.screenshot({ path: test.info().outputPath("review.png") });

    // The agent has the comment in its inbox, and its task is pending again in round 2 with its
    // steps reset (docs/task-rules.md: round 1's steps are kept as they stood).
    const inbox = (await (await agent.get("/api/v1/inbox")).json()) as { items: Msg[] };
    expect(inbox.items.find((m) => m.body === comment)).toMatchObject({ type: "review_response", taskId: created.id, from: { kind: "person", name: "rex@agentdesk.local" } });
    const task = (await (await agent.get(`/api/v1/tasks/${created.id}`)).json()) as Task;
    expect(task).toMatchObject({ status: "pending", round: 2 });
    expect(task.steps.every((st) => st.status === "pending")).toBe(true);

    // Deciding twice is refused with the server's reason (409), shown in place.
    const again = await page.request.post(`/api/v1/outputs/${output.id}/approve`, { data: {}, headers: { origin: new URL(page.url()).origin } });
    expect(again.status()).toBe(409);
  });

  test("filters in the URL, unknown ids", async ({ page }) => {
    await signIn(page);
    await page.goto("/outputs?status=approved");
    await expect(page.getByRole("combobox", { name: "Show outputs" })).toHaveValue("approved");
    await expect(page.getByTestId("review-queue")).toHaveAttribute("data-status", "approved");
    await page.getByRole("combobox", { name: "Show outputs" }).selectOption("changes_requested");
    await expect(page).toHaveURL(/status=changes_requested/);
    await expect(page.getByTestId("review-queue")).toContainText("Dual API keys during rotation");

    // The not-found UI, marked noindex (status 200: the dashboard's loading.tsx streams first).
    await page.goto("/outputs/out_does_not_exist");
    await expect(page.getByText("No such output")).toBeVisible();
    await expect(page.locator('meta[name="robots"][content="noindex"]').first()).toBeAttached();
  });
});
