import { defineConfig, devices } from "@playwright/test";
import path from "node:path";

const port = Number(process.env.E2E_PORT) || 3210;
export const e2eDatabase = path.join(process.cwd(), "test-results", "e2e", `agentdesk-${port}.db`);

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results/e2e/artifacts",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["html", { open: "never", outputFolder: "playwright-report" }]],
  use: {
    baseURL: `http://localhost:${port}`,
    screenshot: "on",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"],
    },
  },
  projects: [
    { name: "chromium", testIgnore: /\.pg\.spec\.ts$/, use: { ...devices["Desktop Chrome"], viewport: { width: 1400, height: 900 } } },
    // Two replicas on PostgreSQL (e2e/*.pg.spec.ts start their own servers): when TEST_DATABASE_URL names a cluster.
    ...(process.env.TEST_DATABASE_URL?.trim() ? [{ name: "pg", testMatch: /\.pg\.spec\.ts$/, use: { ...devices["Desktop Chrome"], viewport: { width: 1400, height: 900 } } }] : []),
  ],
  webServer: {
    command: "npx tsx e2e/support/start-server.ts",
    url: `http://localhost:${port}/api/health`,
    reuseExistingServer: false,
    timeout: 120_000,
    env: { PORT: String(port), DATABASE_PATH: e2eDatabase, NODE_ENV: "production", HOST: "127.0.0.1", AGENTDESK_CONFIG: "e2e/support/agentdesk.config.json" },
    stdout: "ignore",
    stderr: "pipe",
  },
});
