import { test, expect, database, signIn, agentToken, agentApi, system, manualAgent } from "./support/fixtures";
import * as s from "@/lib/services";

// The pictures of the work (docs/architecture.md, "Charts") are drawn on the server; a page left
// open redraws them (a throttled router.refresh) on the events they draw, without a reload.

const markSameDocument = (page: import("@playwright/test").Page) => page.evaluate(() => ((window as unknown as { __sameDocument?: boolean }).__sameDocument = true));
const sameDocument = (page: import("@playwright/test").Page) => page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument === true);

test("the task page's step timeline draws each step an agent starts, live", async ({ page, request, consoleErrors }) => {
  const db = database();
  const inst = s.createInstruction({ db, actor: system }, { title: "Timeline" });
  const task = s.createTask({ db, actor: system }, { instructionId: inst.id, title: "Draw my steps", assignedAgent: manualAgent() });
  const api = agentApi(request, agentToken(task.assignedAgent));
  expect((await api.post("/api/v1/tasks/claim", { taskId: task.id })).status()).toBe(200);

  await signIn(page);
  await page.goto(`/tasks/${task.id}`);
  const timeline = page.getByTestId("step-timeline");
  await expect(timeline).toBeVisible();
  await expect(timeline.locator("g[data-step]")).toHaveCount(0);
  await expect(page.getByTestId("live-indicator")).toHaveAttribute("data-state", "live");
  await markSameDocument(page);

  expect((await api.post(`/api/v1/tasks/${task.id}/steps/1`, { status: "in_progress", note: "Reading" })).ok()).toBe(true);
  await expect(timeline.locator('g[data-step="1:1"]')).toHaveAttribute("data-status", "in_progress", { timeout: 15_000 });
  expect((await api.post(`/api/v1/tasks/${task.id}/steps/1`, { status: "done", note: "Read" })).ok()).toBe(true);
  expect((await api.post(`/api/v1/tasks/${task.id}/steps/2`, { status: "in_progress" })).ok()).toBe(true);
  await expect(timeline.locator('g[data-step="1:1"]')).toHaveAttribute("data-status", "done", { timeout: 15_000 });
  await expect(timeline.locator('g[data-step="1:2"]')).toHaveAttribute("data-status", "in_progress", { timeout: 15_000 });
  await expect(timeline.locator("g[data-step]")).toHaveCount(2);
  expect(await sameDocument(page), "the timeline redrew without a reload").toBe(true);
  expect(consoleErrors).toEqual([]);
});

test("the overview counts a task completed today, live; the agent page draws its activity and one duration per step", async ({ page, request, consoleErrors }) => {
  const db = database();
  const agent = manualAgent();
  const inst = s.createInstruction({ db, actor: system }, { title: "Charts overview" });
  const task = s.createTask({ db, actor: system }, { instructionId: inst.id, title: "Finish me", assignedAgent: agent, authority: "autonomous" });

  await signIn(page);
  await page.goto("/");
  const completed = page.getByTestId("work-charts");
  await expect(completed).toBeVisible();
  const chart = completed.getByTestId("completed-chart");
  const today = new Date().toISOString().slice(0, 10);
  const before = (await chart.count()) ? Number(await chart.locator(`g[data-day="${today}"]`).getAttribute("data-value")) : 0;
  if (await chart.count()) await expect(chart.locator("g[data-day]")).toHaveCount(14);
  await expect(page.getByTestId("live-indicator")).toHaveAttribute("data-state", "live");
  await markSameDocument(page);

  const api = agentApi(request, agentToken(agent));
  expect((await api.post("/api/v1/tasks/claim", { taskId: task.id })).status()).toBe(200);
  const steps = s.getTask({ db, actor: system }, task.id).steps;
  for (const step of steps) expect((await api.post(`/api/v1/tasks/${task.id}/steps/${step.position}`, { status: "done" })).ok()).toBe(true);
  const done = await api.post(`/api/v1/tasks/${task.id}/complete`, {});
  expect(done.status(), await done.text()).toBe(200);
  expect((await done.json()).status).toBe("completed");

  await expect(completed.getByTestId("completed-chart").locator(`g[data-day="${today}"]`)).toHaveAttribute("data-value", String(before + 1), { timeout: 20_000 });
  await expect(completed.getByTestId("completed-chart").locator("g[data-day]")).toHaveCount(14);
  expect(await sameDocument(page), "the overview redrew without a reload").toBe(true);

  await page.goto(`/agents/${agent}`);
  await expect(page.getByTestId("agent-activity").getByTestId("activity-chart")).toBeVisible();
  await expect(page.getByTestId("agent-step-durations").locator("li[data-position]")).toHaveCount(steps.length);
  expect(consoleErrors).toEqual([]);
});

test("a task completed between the overview's server render and its event stream's opening still reaches the chart", async ({ page, request, consoleErrors }) => {
  const db = database();
  const agent = manualAgent();
  const inst = s.createInstruction({ db, actor: system }, { title: "Charts gap" });
  const task = s.createTask({ db, actor: system }, { instructionId: inst.id, title: "Finished unseen", assignedAgent: agent, authority: "autonomous" });
  await signIn(page);

  // Hold the page's event stream until the task is completed: the change lands after the server
  // drew the chart and before the stream is open.
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const opened: string[] = [];
  await page.route("**/api/events**", async (route) => {
    opened.push(route.request().url());
    await held;
    await route.continue();
  });
  await page.goto("/");
  const chart = page.getByTestId("work-charts").getByTestId("completed-chart");
  const today = new Date().toISOString().slice(0, 10);
  const before = (await chart.count()) ? Number(await chart.locator(`g[data-day="${today}"]`).getAttribute("data-value")) : 0;
  await expect.poll(() => opened.length).toBeGreaterThan(0);
  await expect(page.getByTestId("live-indicator")).not.toHaveAttribute("data-state", "live");
  await markSameDocument(page);

  const api = agentApi(request, agentToken(agent));
  expect((await api.post("/api/v1/tasks/claim", { taskId: task.id })).status()).toBe(200);
  for (const step of s.getTask({ db, actor: system }, task.id).steps) expect((await api.post(`/api/v1/tasks/${task.id}/steps/${step.position}`, { status: "done" })).ok()).toBe(true);
  const done = await api.post(`/api/v1/tasks/${task.id}/complete`, {});
  expect((await done.json()).status).toBe("completed");

  release();
  await expect(page.getByTestId("live-indicator")).toHaveAttribute("data-state", "live");
  // The stream resumed where the page was drawn (?after=), and the server replayed the completion.
  expect(new URL(opened[0]).searchParams.get("after")).toMatch(/^\d+$/);
  await expect(page.getByTestId("work-charts").getByTestId("completed-chart").locator(`g[data-day="${today}"]`)).toHaveAttribute("data-value", String(before + 1), { timeout: 15_000 });
  expect(await sameDocument(page), "the overview redrew without a reload").toBe(true);
  expect(consoleErrors).toEqual([]);
});
