import type { BrowserContext, Page } from "@playwright/test";
import { test, expect, database, signIn, agentToken, agentApi, system, manualAgent } from "./support/fixtures";
import * as s from "@/lib/services";

// Issue #18: browser notifications (title and favicon count, one notification per browser, click
// lands on the thing), assign in one move, the `?` overlay, the sidebar at 768 px, reduced motion.

const shot = (name: string) => test.info().outputPath(`${name}.png`);

/**
 * The OS notification centre is outside our reach: the page's Notification is wrapped to record
 * what the dashboard shows (the real constructor still runs) and to click one as a person would.
 */
function recordNotifications() {
  const Real = window.Notification;
  const shown: { title: string; body: string; tag: string; n: EventTarget & { onclick?: ((e: Event) => void) | null } }[] = [];
  function Recorded(this: unknown, title: string, options?: NotificationOptions) {
    let n: EventTarget & { onclick?: ((e: Event) => void) | null; close?: () => void };
    try {
      n = new Real(title, options);
    } catch {
      n = Object.assign(new EventTarget(), { onclick: null, close: () => {} });
    }
    shown.push({ title, body: options?.body ?? "", tag: options?.tag ?? "", n });
    return n;
  }
  Object.defineProperty(Recorded, "permission", { get: () => Real.permission });
  Object.assign(Recorded, { requestPermission: (...a: Parameters<typeof Real.requestPermission>) => Real.requestPermission(...a) });
  Object.assign(window, {
    Notification: Recorded,
    __shown: () => shown.map(({ title, body, tag }) => ({ title, body, tag })),
    __click: (i: number) => {
      const n = shown[i].n;
      const ev = new Event("click", { cancelable: true });
      if (n instanceof Real) n.dispatchEvent(ev);
      else n.onclick?.(ev);
    },
  });
}

type Shown = { title: string; body: string; tag: string };
const shownIn = (page: Page) => page.evaluate(() => (window as unknown as { __shown: () => Shown[] }).__shown());
const matching = async (pages: Page[], text: string) => {
  const all = await Promise.all(pages.map(async (p) => (p.isClosed() ? [] : (await shownIn(p)).filter((n) => n.title.includes(text) || n.body.includes(text)).map((n) => ({ page: p, n })))));
  return all.flat();
};

async function notifyingContext(browser: import("@playwright/test").Browser, baseURL: string): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.grantPermissions(["notifications"], { origin: baseURL });
  await context.addInitScript(recordNotifications);
  return context;
}

const live = (page: Page) => expect(page.getByTestId("live-indicator")).toHaveAttribute("data-state", "live", { timeout: 20_000 });

test.describe("people's attention", () => {
  test.describe.configure({ timeout: 180_000 });

  test("opted in, two tabs: one notification per escalation, none for my own message; click lands on the thread; title and favicon count the unread; the next tab takes over when the leader closes", async ({
    browser,
    baseURL,
    request,
  }) => {
    const context = await notifyingContext(browser, baseURL!);
    const first = await context.newPage();
    const errors: string[] = [];
    first.on("pageerror", (e) => errors.push(String(e)));
    await signIn(first);
    await first.goto("/");

    // Opt in from the user menu.
    const toggle = first.getByTestId("notifications-toggle");
    await expect(toggle).toHaveAttribute("aria-pressed", "false");
    await toggle.click();
    await expect(toggle).toHaveAttribute("aria-pressed", "true");

    const second = await context.newPage();
    second.on("pageerror", (e) => errors.push(String(e)));
    await second.goto("/tasks");
    await live(first);
    await live(second);
    // The second tab reads the same choice.
    await expect(second.getByTestId("notifications-toggle")).toHaveAttribute("aria-pressed", "true");

    const unread = async () => ((await (await first.request.get("/api/v1/counts")).json()) as { unread: number }).unread;
    const before = await unread();

    // My own message to the people's inbox: no notification.
    const stamp = Date.now().toString(36);
    const origin = new URL(first.url()).origin;
    const own = await first.request.post("/api/v1/messages", { data: { to: "hitl", type: "consultation", body: `Note from Rex ${stamp}` }, headers: { origin } });
    expect(own.ok()).toBe(true);

    // An agent escalates.
    const agent = agentApi(request, agentToken(manualAgent()));
    const subject = `Which currency for invoices? ${stamp}`;
    const sent = await agent.post("/api/v1/messages", { to: "hitl", type: "escalation", subject, body: "Totals could be EUR or the customer's currency." });
    expect(sent.status()).toBe(201);
    const message = (await sent.json()) as { id: string; threadId: string };

    // Exactly one notification, in one tab, and it stays one.
    await expect.poll(async () => (await matching([first, second], stamp)).length, { timeout: 15_000 }).toBe(1);
    await first.waitForTimeout(2000);
    const [hit] = await matching([first, second], stamp);
    expect(await matching([first, second], stamp)).toHaveLength(1);
    expect(hit.n).toMatchObject({ title: `${manualAgent()} escalated: ${subject}`, body: "Totals could be EUR or the customer's currency." });
    expect((await matching([first, second], `Note from Rex ${stamp}`)).length).toBe(0);

    // The unread count in every tab's title and on the favicon.
    const count = await unread();
    expect(count).toBeGreaterThanOrEqual(before + 1);
    for (const p of [first, second]) {
      await expect(p).toHaveTitle(new RegExp(`^\\(${count}\\) `));
      const icon = p.locator('link[rel~="icon"]').first();
      await expect(icon).toHaveAttribute("data-badge", String(count));
      await expect(icon).toHaveAttribute("href", /^data:image\/svg\+xml,/);
    }

    // Clicking it opens the thread in that tab.
    const leader = hit.page;
    const index = (await shownIn(leader)).findIndex((n) => n.title.includes(stamp));
    await leader.evaluate((i) => (window as unknown as { __click: (i: number) => void }).__click(i), index);
    await expect(leader).toHaveURL(new RegExp(`/inbox/hitl/${message.threadId}$`));
    await expect(leader.getByTestId("thread-view").getByRole("heading", { name: subject })).toBeVisible();
    await leader.screenshot({ path: shot("notification-click-thread") });

    // The leader closes: the other tab takes the stream and notifies the next one.
    const other = leader === first ? second : first;
    await leader.close();
    await live(other);
    const next = `Second question ${stamp}`;
    await expect
      .poll(
        async () => {
          // The hand-over takes a moment: send again until the new leader has the stream (each send is a new thread).
          if ((await matching([other], next)).length === 0) await agent.post("/api/v1/messages", { to: "hitl", type: "consultation", subject: next, body: "Is UTC fine?" });
          return (await matching([other], next)).length;
        },
        { timeout: 30_000, intervals: [3000] },
      )
      .toBeGreaterThanOrEqual(1);
    expect(errors).toEqual([]);
    await context.close();
  });

  test("a blocked task notifies and leads to the task; notifications off: nothing", async ({ browser, baseURL, request }) => {
    const context = await notifyingContext(browser, baseURL!);
    const page = await context.newPage();
    await signIn(page);
    await page.goto("/agents");
    await page.getByTestId("notifications-toggle").click();
    await expect(page.getByTestId("notifications-toggle")).toHaveAttribute("aria-pressed", "true");
    await live(page);

    const db = database();
    const agentName = manualAgent();
    const stamp = Date.now().toString(36);
    const inst = s.createInstruction({ db, actor: system }, { title: `Blocked ${stamp}` });
    const task = s.createTask({ db, actor: system }, { instructionId: inst.id, title: `Sync ledgers ${stamp}`, assignedAgent: agentName });
    const agent = agentApi(request, agentToken(agentName));
    expect((await agent.post("/api/v1/tasks/claim", { taskId: task.id })).status()).toBe(200);
    expect((await agent.post(`/api/v1/tasks/${task.id}/block`, { reason: `No ledger credentials ${stamp}` })).ok()).toBe(true);

    await expect.poll(async () => (await matching([page], stamp)).map((m) => m.n.title), { timeout: 15_000 }).toEqual([`Task blocked: ${task.ref} Sync ledgers ${stamp}`]);
    const index = (await shownIn(page)).findIndex((n) => n.title.includes(stamp));
    await page.evaluate((i) => (window as unknown as { __click: (i: number) => void }).__click(i), index);
    await expect(page).toHaveURL(new RegExp(`/tasks/${task.id}$`));

    // Off: the next block is not notified.
    await page.getByTestId("notifications-toggle").click();
    await expect(page.getByTestId("notifications-toggle")).toHaveAttribute("aria-pressed", "false");
    const other = s.createTask({ db, actor: system }, { instructionId: inst.id, title: `Quiet ${stamp}`, assignedAgent: agentName });
    expect((await agent.post("/api/v1/tasks/claim", { taskId: other.id })).status()).toBe(200);
    expect((await agent.post(`/api/v1/tasks/${other.id}/block`, { reason: "Also stuck" })).ok()).toBe(true);
    await expect.poll(() => s.getTask({ db, actor: system }, other.id).status).toBe("blocked");
    await page.waitForTimeout(3000);
    expect((await matching([page], `Quiet ${stamp}`)).length).toBe(0);
    await context.close();
  });

  test("assign in one move from the palette and from the board: a new instruction from the same text", async ({ page, consoleErrors }) => {
    const agentName = manualAgent();
    await signIn(page);
    await page.goto("/");
    const stamp = Date.now().toString(36);

    // The palette: Assign work…
    await page.keyboard.press("Control+k");
    await page.getByRole("option", { name: /Assign work/ }).click();
    const dialog = page.getByTestId("assign-work-dialog");
    await expect(dialog).toBeVisible();
    // Nothing typed: said on the field, nothing sent.
    await dialog.getByRole("button", { name: "Assign", exact: true }).click();
    await expect(dialog.getByText("Say what is needed", { exact: true })).toBeVisible();
    await dialog.getByLabel("What is needed").fill(`Export invoices ${stamp}\n\nAs CSV, one file per month.`);
    await dialog.getByLabel("Agent").selectOption(agentName);
    await expect(dialog.getByLabel("Instruction")).toHaveValue("");
    await page.screenshot({ path: shot("assign-work-dialog") });
    await dialog.getByLabel("What is needed").press("Control+Enter");
    await expect(page.getByText(new RegExp(`assigned to ${agentName}`))).toBeVisible();
    await expect(dialog).toBeHidden();

    const ctx = { db: database(), actor: system };
    const task = s.listTasks(ctx, { agent: agentName, limit: 100 }).items.find((t) => t.title === `Export invoices ${stamp}`)!;
    expect(task).toBeTruthy();
    const inst = s.getInstruction(ctx, task.instructionId);
    expect(inst).toMatchObject({ title: `Export invoices ${stamp}`, body: "As CSV, one file per month." });
    expect(s.getTask(ctx, task.id).description).toBe("As CSV, one file per month.");

    // The board's New task: "New instruction from this task" is the default.
    await page.goto("/tasks?new=1");
    const sheet = page.getByTestId("new-task-sheet");
    await expect(sheet.getByLabel("Instruction")).toHaveValue("");
    await sheet.getByLabel("Title").fill(`Archive old invoices ${stamp}`);
    await sheet.locator(`#agent-${agentName}`).check();
    await sheet.getByRole("button", { name: "Assign task" }).click();
    await expect(page.getByText(new RegExp(`assigned to ${agentName}`)).first()).toBeVisible();
    const fromBoard = s.listTasks(ctx, { agent: agentName, limit: 100 }).items.find((t) => t.title === `Archive old invoices ${stamp}`)!;
    expect(fromBoard).toBeTruthy();
    expect(s.getInstruction(ctx, fromBoard.instructionId).title).toBe(`Archive old invoices ${stamp}`);
    await expect(page.getByTestId("column-pending").getByTestId(`task-card-${fromBoard.id}`)).toBeVisible();

    // The agent page: Assign work with the agent already chosen, into an existing instruction.
    await page.goto(`/agents/${agentName}`);
    await page.getByTestId("assign-work-button").click();
    const fromAgent = page.getByTestId("assign-work-dialog");
    await expect(fromAgent.getByLabel("Agent")).toHaveValue(agentName);
    await fromAgent.getByLabel("What is needed").fill(`Reconcile invoices ${stamp}`);
    await fromAgent.getByLabel("Instruction").selectOption(inst.id);
    await fromAgent.getByRole("button", { name: "Assign", exact: true }).click();
    await expect(fromAgent).toBeHidden();
    const joined = s.listTasks(ctx, { agent: agentName, limit: 100 }).items.find((t) => t.title === `Reconcile invoices ${stamp}`)!;
    expect(joined.instructionId).toBe(inst.id);
    expect(consoleErrors).toEqual([]);
  });

  test("? lists every shortcut; reduced motion turns animations off", async ({ page, consoleErrors }) => {
    await signIn(page);
    await page.goto("/");
    await page.locator("main").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("?");
    const overlay = page.getByTestId("shortcuts-overlay");
    await expect(overlay).toBeVisible();
    for (const text of ["Open the command palette", "Go to Tasks", "Next / previous item", "Approve the version awaiting review", "Archive or unarchive the thread"])
      await expect(overlay).toContainText(text);
    await page.screenshot({ path: shot("shortcuts-overlay") });
    await page.keyboard.press("Escape");
    await expect(overlay).toBeHidden();
    // The top bar's button opens it too.
    await page.getByTestId("shortcuts-button").click();
    await expect(overlay).toBeVisible();
    await page.keyboard.press("?");
    await expect(overlay).toBeHidden();

    const duration = () => page.evaluate(() => getComputedStyle(document.querySelector('[data-testid="shortcuts-overlay"]')!).animationDuration);
    await page.keyboard.press("?");
    await expect(overlay).toBeVisible();
    expect(await duration()).not.toMatch(/^(0\.00001s|1e-05s)$/);
    await page.keyboard.press("Escape");
    await expect(overlay).toBeHidden();
    await page.emulateMedia({ reducedMotion: "reduce" });
    await page.keyboard.press("?");
    await expect(overlay).toBeVisible();
    expect(await duration()).toMatch(/^(0\.00001s|1e-05s)$/);
    expect(consoleErrors).toEqual([]);
  });

  test("at 768 px the sidebar is a rail of icons, the toggle works from the keyboard and is remembered", async ({ page, consoleErrors }) => {
    await page.setViewportSize({ width: 768, height: 900 });
    await signIn(page);
    await page.goto("/tasks");
    const sidebar = page.getByTestId("sidebar");
    const width = async () => (await sidebar.boundingBox())!.width;
    expect(await width()).toBeLessThanOrEqual(64);
    await expect(sidebar.getByRole("link", { name: "Tasks" })).toBeVisible();
    // The page fits: nothing wider than the window.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(768);
    expect((await page.locator("main").boundingBox())!.width).toBeGreaterThan(690);
    await page.screenshot({ path: shot("sidebar-768-rail") });

    // Keyboard: focus the toggle and press Enter.
    const toggle = page.getByTestId("sidebar-toggle");
    await expect(toggle).toHaveAttribute("aria-expanded", "false");
    await toggle.focus();
    await page.keyboard.press("Enter");
    await expect(toggle).toHaveAttribute("aria-expanded", "true");
    await expect.poll(width).toBeGreaterThan(200);
    await page.reload();
    await expect(page.getByTestId("sidebar-toggle")).toHaveAttribute("aria-expanded", "true");
    await expect.poll(width).toBeGreaterThan(200);
    await page.getByTestId("sidebar-toggle").click();
    await expect.poll(width).toBeLessThanOrEqual(64);

    // Wide again with the rail chosen: it stays a rail.
    await page.setViewportSize({ width: 1400, height: 900 });
    await expect.poll(width).toBeLessThanOrEqual(64);
    await page.evaluate(() => localStorage.removeItem("agentdesk.sidebar"));
    await page.reload();
    await expect.poll(width).toBeGreaterThan(200);
    expect(consoleErrors).toEqual([]);
  });
});
