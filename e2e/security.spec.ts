import { test, expect, database, signIn, agentToken, agentApi, system, agentDefinitionsWithManual, MANUAL_AGENT } from "./support/fixtures";
import * as s from "@/lib/services";
import { DEMO_PASSWORD } from "@/lib/demo/seed";

const pages = ["/", "/instructions", "/instructions/new", "/tasks", "/outputs", "/inbox", "/agents", "/agents/backend-developer"];

test.describe("without a session", () => {
  test("every page redirects to sign-in", async ({ page }) => {
    for (const path of pages) {
      await page.goto(path);
      await expect(page, path).toHaveURL(/\/sign-in/);
    }
  });

  test("every API route answers 401 (all of /api/v1 from the OpenAPI document, the MCP endpoint and the event stream)", async ({ request, playwright, baseURL }) => {
    // Read the document as a signed-in person, then knock on every door without credentials.
    const signed = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { origin: baseURL! } });
    const r = await signed.post("/api/auth/sign-in", { data: { email: "ada@agentdesk.local", password: DEMO_PASSWORD } });
    expect(r.ok()).toBe(true);
    const doc = await (await signed.get("/api/v1/openapi.json")).json();
    const ops: [string, string][] = [];
    for (const [p, methods] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      for (const m of Object.keys(methods)) ops.push([m.toUpperCase(), p.replace(/\{[^}]+\}/g, "x1")]);
    }
    expect(ops.length).toBeGreaterThan(20);
    ops.push(["POST", "/mcp".replace(/^/, "")], ["GET", "/events"]);
    for (const [method, p] of ops) {
      const url = p === "/mcp" || p === "/events" ? `/api${p}` : `/api/v1${p}`;
      const res = await request.fetch(url, { method, data: method === "GET" ? undefined : {} });
      expect(res.status(), `${method} ${url}`).toBe(401);
      expect(res.headers()["content-type"], `${method} ${url}`).toContain("application/problem+json");
    }
    expect((await request.get("/api/health")).status()).toBe(200);
    await signed.dispose();
  });
});

test("response headers on every page: a nonce CSP without unsafe-inline scripts, nosniff, no framing, a referrer policy", async ({ page }) => {
  await signIn(page);
  for (const path of [...pages, "/sign-in"]) {
    // The main document's answer, read from the network: page.goto resolves to null when Chromium
    // reports the navigation without its request (seen once in CI, on a loaded machine).
    const [res] = await Promise.all([page.waitForResponse((r) => r.request().isNavigationRequest() && r.frame() === page.mainFrame() && r.status() === 200), page.goto(path)]);
    const h = await res.allHeaders();
    const csp = h["content-security-policy"] ?? "";
    const scriptSrc = csp.split(";").find((d) => d.trim().startsWith("script-src")) ?? "";
    expect(scriptSrc, path).toMatch(/'nonce-[^']+'/);
    expect(scriptSrc, path).not.toContain("unsafe-inline");
    expect(csp, path).toContain("frame-ancestors 'none'");
    expect(h["x-content-type-options"], path).toBe("nosniff");
    expect(h["referrer-policy"], path).toBeTruthy();
  }
});

test("a state-changing request with a foreign Origin is refused and changes nothing", async ({ page, baseURL }) => {
  await signIn(page);
  const before = s.listInstructions({ db: database(), actor: system }, { limit: 200 }).items.length;
  const res = await page.request.post("/api/v1/instructions", {
    headers: { origin: "http://evil.example", "content-type": "application/json" },
    data: { title: "forged", body: "", tier: 1, priority: "normal" },
  });
  expect(res.status()).toBe(403);
  expect((await res.json()).code).toBe("csrf");
  const same = await page.request.post("/api/v1/instructions", {
    headers: { origin: baseURL!, "content-type": "application/json" },
    data: { title: "allowed", body: "", tier: 1, priority: "normal" },
  });
  expect(same.status()).toBe(201);
  expect(s.listInstructions({ db: database(), actor: system }, { limit: 200 }).items.length).toBe(before + 1);
});

test.describe("hostile text from agents never runs in a person's browser", () => {
  const payloads = [
    `<script>window.__xss=1;alert(1)</script>`,
    `<img src=x onerror="window.__xss=2;alert(2)">`,
    `[click me](javascript:window.__xss=3)`,
    `<svg onload="window.__xss=4"><script>alert(4)</script></svg>`,
    `<a href="javascript:alert(5)">link</a>`,
    `![x](javascript:alert(6))`,
    `<iframe src="javascript:alert(7)"></iframe>`,
  ];
  const marker = "XSS-MARKER";

  test("payloads in a task title, an agent's definition, a message body and an output are shown as text and never execute", async ({ page, request, consoleErrors }) => {
    test.setTimeout(240_000);
    const db = database();
    const admin = { db, actor: system };
    // An agent whose definition carries the payloads (names themselves are restricted to [a-z0-9_-]).
    s.syncAgents(admin, [
      ...agentDefinitionsWithManual(),
      {
        name: "xss-agent",
        title: `${marker} ${payloads[0]}`,
        description: `${marker} ${payloads[1]}`,
        tier: "execution",
        domain: null,
        model: null,
        color: `red;background:url(javascript:alert(9))`,
        capabilities: [payloads[1]],
        tools: ["Read"],
        steps: [{ position: 1, title: payloads[0], guidance: payloads[3] }],
        stepsSource: "response_approach",
        memory: { reads: [{ path: payloads[1] }], writes: [] },
        resources: [],
        extra: {},
        body: payloads.join("\n\n"),
        sourcePath: "agents/xss-agent.md",
        contentHash: "x".repeat(64),
      },
    ]);
    const inst = s.createInstruction(admin, { title: `${marker} ${payloads[1]}`, body: payloads.join("\n\n"), tier: 1 });
    const task = s.createTask(admin, {
      instructionId: inst.id,
      title: `${marker} ${payloads[0]}`,
      description: payloads.join("\n\n"),
      // An agent without a runner: this test plays the agent (backend-developer would start Claude Code).
      assignedAgent: MANUAL_AGENT,
      acceptanceCriteria: payloads,
      filesToModify: [payloads[1]],
    });
    const token = agentToken(MANUAL_AGENT);
    const api = agentApi(request, token);
    expect((await api.post("/api/v1/tasks/claim", { taskId: task.id })).status()).toBe(200);
    expect((await api.post(`/api/v1/tasks/${task.id}/steps/1`, { status: "in_progress", note: `${marker} ${payloads[1]}` })).ok()).toBe(true);
    const out = await api.post(`/api/v1/tasks/${task.id}/outputs`, { format: "markdown", content: `# ${marker}\n\n${payloads.join("\n\n")}`, files: [payloads[1]] });
    expect(out.status()).toBe(201);
    const outputId = (await out.json()).id;
    const msg = await api.post("/api/v1/messages", { to: "hitl", type: "escalation", subject: `${marker} ${payloads[0]}`, body: `${marker}\n\n${payloads.join("\n\n")}`, taskId: task.id });
    expect(msg.status()).toBe(201);
    const threadId = (await msg.json()).threadId;

    const dialogs: string[] = [];
    page.on("dialog", async (d) => {
      dialogs.push(d.message());
      await d.dismiss();
    });
    await signIn(page);
    const visits = ["/", `/tasks`, `/tasks/${task.id}`, `/instructions/${inst.id}`, `/outputs/${outputId}`, `/inbox/hitl/${threadId}`, `/inbox`, "/agents", "/agents/xss-agent", `/inbox/xss-agent`];
    for (const path of visits) {
      await page.goto(path);
      // The live stream keeps a request open, so "network idle" never comes: wait for the page to
      // load and its client code to settle (a selected thread, filters) instead.
      await page.waitForLoadState("load");
      await page.waitForTimeout(800);
      // Click every link the payloads could have produced.
      for (const link of await page.locator('a[href^="javascript"]').all()) await link.click({ trial: true }).catch(() => {});
      expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), path).toBeUndefined();
      expect(await page.locator('a[href^="javascript:"], iframe, script:not([src]):not([nonce])').count(), path).toBe(0);
      await page.screenshot({ path: test.info().outputPath(`xss-${path.replace(/[^a-z0-9]+/gi, "_")}.png`), fullPage: true });
    }
    expect(dialogs).toEqual([]);
    // The text is still there for people to read.
    await page.goto(`/tasks/${task.id}`);
    await expect(page.getByText(marker).first()).toBeVisible();
    expect(consoleErrors.filter((e) => /xss|alert/i.test(e))).toEqual([]);
  });
});
