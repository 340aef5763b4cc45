import { test, expect, signIn, agentToken, agentApi } from "./support/fixtures";

type Msg = { id: string; threadId: string; type: string; subject: string; body: string; to: string; from: { kind: string; name: string }; readAt: string | null };

test.describe("inbox", () => {
  // Production pages on this small machine take seconds each; these tests walk through many.
  test.describe.configure({ timeout: 180_000 });
  test("read the escalation, reply to it, see the counts move and find a message by a word", async ({ page, request, consoleErrors }) => {
    await signIn(page);

    // The demo's escalation in the people's inbox; made unread first, so the test does not depend on what ran before.
    const list = (await (await page.request.get("/api/v1/inbox?type=escalation")).json()) as { items: Msg[] };
    const escalation = list.items.find((m) => m.subject === "Gross or net revenue?");
    expect(escalation, "the demo escalation is in the people's inbox").toBeTruthy();
    // Cookie-authenticated writes must name our origin (the API's CSRF check), as the browser does.
    const origin = new URL(page.url()).origin;
    expect((await page.request.post(`/api/v1/messages/${escalation!.id}/unread`, { data: {}, headers: { origin } })).ok()).toBe(true);

    await page.goto("/inbox");
    await expect(page).toHaveURL(/\/inbox\/hitl$/);
    const count = page.getByTestId("unread-count-hitl");
    const before = Number(await count.getAttribute("data-count"));
    expect(before).toBeGreaterThan(0);

    const item = page.getByTestId(`thread-item-${escalation!.threadId}`);
    await expect(item).toHaveAttribute("data-unread", "true");
    await item.click();
    await expect(page).toHaveURL(new RegExp(`/inbox/hitl/${escalation!.threadId}$`));

    const thread = page.getByTestId("thread-view");
    await expect(thread.getByRole("heading", { name: "Gross or net revenue?" })).toBeVisible();
    await expect(thread).toContainText("Which one does finance expect?");
    await expect(thread.getByRole("link", { name: "Revenue per week endpoint" })).toBeVisible();

    // Opening marks it read: the list's dot and the picker's count follow at once.
    await expect(item).toHaveAttribute("data-unread", "false");
    await expect(count).toHaveAttribute("data-count", String(before - 1));
    // ... and it is stored, not only shown.
    await expect.poll(async () => ((await (await page.request.get(`/api/v1/messages/${escalation!.id}`)).json()) as Msg).readAt).not.toBeNull();

    // `u` toggles unread and back.
    await page.keyboard.press("u");
    await expect(item).toHaveAttribute("data-unread", "true");
    await expect(count).toHaveAttribute("data-count", String(before));
    await page.keyboard.press("u");
    await expect(item).toHaveAttribute("data-unread", "false");
    await expect(count).toHaveAttribute("data-count", String(before - 1));

    // `r` focuses the reply box; the preview renders markdown; sending clears the box and shows the reply.
    const reply = `Net of **refunds**, please: finance reports net revenue (e2e ${Date.now()}).`;
    await page.keyboard.press("r");
    const box = page.getByTestId("reply-box");
    await expect(box).toBeFocused();
    await box.fill(reply);
    await thread.getByRole("tab", { name: "Preview" }).click();
    await expect(thread.getByRole("tabpanel").locator("strong", { hasText: "refunds" })).toBeVisible();
    await thread.getByRole("tab", { name: "Write" }).click();
    await thread.getByRole("button", { name: "Send reply" }).click();
    await expect(thread.getByRole("listitem").filter({ hasText: "finance reports net revenue" })).toBeVisible();
    await expect(page.getByTestId("reply-box")).toHaveValue("");
    await page.screenshot({ path: test.info().outputPath("inbox-thread.png") });

    // The reply reached backend-developer's inbox, from the signed-in person, in the same thread.
    const agent = agentApi(request, agentToken("backend-developer"));
    await expect
      .poll(async () => {
        const res = await agent.get("/api/v1/inbox");
        const body = (await res.json()) as { items: Msg[] };
        return body.items.find((m) => m.body === reply);
      })
      .toMatchObject({ threadId: escalation!.threadId, to: "backend-developer", type: "escalation_response", from: { kind: "person", name: "rex@agentdesk.local" } });

    // Full-text search across every inbox, the hit marked.
    await page.getByRole("searchbox", { name: "Search messages" }).fill("refunds");
    await page.getByRole("combobox", { name: "Search in" }).selectOption("all");
    const results = page.getByTestId("search-results");
    await expect(results).toBeVisible();
    await expect(page).toHaveURL(/[?&]q=refunds/);
    const hit = results.locator("mark", { hasText: /^refunds$/i }).first();
    await expect(hit).toBeVisible();
    await expect(results.getByText("Gross or net revenue?").first()).toBeVisible();
    await page.screenshot({ path: test.info().outputPath("inbox-search.png") });

    expect(consoleErrors).toEqual([]);
  });

  test("keyboard moves, archives and undoes; filters live in the URL; unknown ids", async ({ page }) => {
    await signIn(page);
    await page.goto("/inbox/hitl");
    const list = page.getByTestId("thread-list");
    await expect(list).toBeVisible();
    // Until the page has hydrated nobody listens to the keys: press until the first item takes focus.
    await expect(async () => {
      await page.keyboard.press("Escape");
      await page.keyboard.press("j");
      await expect(list.locator("[data-nav-item]").first()).toBeFocused({ timeout: 500 });
    }).toPass();
    await page.keyboard.press("Enter");
    await expect(page.getByTestId("thread-view")).toBeVisible();
    await expect(page).toHaveURL(/\/inbox\/hitl\/msg_/);
    const threadId = new URL(page.url()).pathname.split("/").pop()!;

    // `e` archives the open thread (the list moves on), and the toast's Undo brings it back.
    await page.keyboard.press("e");
    await expect(page.getByTestId(`thread-item-${threadId}`)).toHaveCount(0);
    await expect(page.locator("[data-sonner-toast]", { hasText: "Archived" })).toBeVisible();
    await page.getByRole("button", { name: "Undo", exact: true }).click();
    await expect(page.getByTestId(`thread-item-${threadId}`)).toBeVisible();

    await page.getByRole("button", { name: "Unread only" }).click();
    await expect(page).toHaveURL(/[?&]unread=1/);
    await page.getByRole("combobox", { name: "Message type" }).selectOption("status_update");
    await expect(page).toHaveURL(/[?&]type=status_update/);
    await page.reload();
    await expect(page.getByRole("button", { name: "Unread only" })).toHaveAttribute("aria-pressed", "true");

    // Any agent's inbox opens the same way.
    await page.goto("/inbox/frontend-developer");
    await expect(page.getByTestId("thread-list")).toContainText("Order response shape for the checkout page");

    // Unknown ids render the not-found UI, marked noindex. (The status stays 200: the dashboard's
    // loading.tsx has started streaming before the page can say 404.)
    await page.goto("/inbox/hitl/msg_does_not_exist");
    await expect(page.getByText("No such thread")).toBeVisible();
    await expect(page.locator('meta[name="robots"][content="noindex"]').first()).toBeAttached();
    await page.goto("/inbox/nobody-here");
    await expect(page.getByText("No such inbox")).toBeVisible();
  });
});
