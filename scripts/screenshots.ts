// The README's screenshots, from the demo data: `npx tsx scripts/screenshots.ts` (needs the production
// build: `npm start` or `npm run build` makes it). Seeds a temporary database, starts the server on a
// free port, signs in as the demo admin and photographs the task in progress (steps under way) and the
// people's inbox with the blocked task's question open with Debian's Chromium (CHROMIUM_PATH overrides it) into docs/images/. Nothing of
// the working tree's ./data is touched.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { chromium } from "@playwright/test";
import { openDatabase } from "@/db/client";
import { seedDemo, DEMO_PASSWORD } from "@/lib/demo/seed";

const root = path.resolve(import.meta.dirname, "..");
const out = path.join(root, "docs", "images");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-shots-"));
const file = path.join(work, "agentdesk.db");

const port = await new Promise<number>((resolve, reject) => {
  const s = net.createServer();
  s.on("error", reject);
  s.listen(0, "127.0.0.1", () => {
    const { port } = s.address() as net.AddressInfo;
    s.close(() => resolve(port));
  });
});
const base = `http://localhost:${port}`;

const db = openDatabase(file);
const { users } = seedDemo(db);
db.$client.close();
const admin = users.find((u) => u.role === "admin")!;

const server = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
  cwd: root,
  env: { ...process.env, NODE_ENV: "production", PORT: String(port), DATABASE_PATH: file, LOG_LEVEL: "warn", AGENTDESK_SYNC_DIR: "" },
  stdio: ["ignore", "ignore", "inherit"],
});
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
try {
  for (let i = 0; ; i++) {
    if (server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode}`);
    if (
      await fetch(`${base}/api/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (i > 600) throw new Error("the server did not answer within 60 s");
    await new Promise((r) => setTimeout(r, 100));
  }
  const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 800 }, colorScheme: "light" });
  const signIn = await context.request.post("/api/auth/sign-in", { data: { email: admin.email, password: DEMO_PASSWORD }, headers: { origin: base } });
  if (!signIn.ok()) throw new Error(`sign-in answered ${signIn.status()}`);
  const tasks = (await (await context.request.get("/api/v1/tasks?status=in_progress")).json()) as { items: { id: string; title: string }[] };
  const task = tasks.items[0];
  if (!task) throw new Error("the demo has no task in progress");
  const page = await context.newPage();
  fs.mkdirSync(out, { recursive: true });

  await page.goto(`/tasks/${task.id}`);
  // Not "networkidle": the live event stream stays open.
  await page.getByText(task.title).first().waitFor();
  await page.waitForTimeout(1500);
  await page.screenshot({ path: path.join(out, "task-in-progress.png") });

  await page.goto("/inbox");
  await page.waitForURL(/\/inbox\//);
  // The blocked task's question, open beside the list.
  await page.getByText("Gross or net revenue?").first().click();
  await page.waitForTimeout(1500);
  await page.screenshot({ path: path.join(out, "inbox.png") });

  for (const name of ["task-in-progress.png", "inbox.png"]) process.stdout.write(`docs/images/${name}: ${Math.round(fs.statSync(path.join(out, name)).size / 1024)} KiB\n`);
} finally {
  await browser.close();
  const exited = new Promise((r) => server.once("exit", r));
  server.kill("SIGTERM");
  await exited;
  fs.rmSync(work, { recursive: true, force: true });
}
