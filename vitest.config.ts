import { defineConfig } from "vitest/config";
import path from "node:path";

// Two projects: "sqlite" runs every test on SQLite files (the default engine); "pg" runs the suites
// that must hold on both engines (the service verbs, the HTTP API, the replicas) on PostgreSQL, and
// the PostgreSQL-only tests (*.pg.test.ts). The pg project exists when TEST_DATABASE_URL names a
// cluster (`eval "$(bash scripts/pg-test-cluster.sh start)"`; .ci/run starts one).
const postgres = Boolean(process.env.TEST_DATABASE_URL?.trim());

/** Suites that run on PostgreSQL too. */
const onBothEngines = ["lib/services/**/*.test.ts", "lib/http/**/*.test.ts", "db/**/*.test.ts"];
/**
 * Tests of SQLite itself (its file, its migrations, its write lock, data_version): they stay in the
 * sqlite project only. (SQLite-only tests outside the folders above need no entry here.)
 */
const sqliteOnly = [
  "db/migrate.test.ts",
  "db/schema-pg.test.ts",
  // SQLite's write lock and better-sqlite3's transaction wrapper (the PostgreSQL engine's transactions: db/engine/*.pg.test.ts).
  "lib/services/context.test.ts",
  // data_version (the PostgreSQL side: the replicas tests).
  "lib/services/access/auth-cache.test.ts",
];

export default defineConfig({
  resolve: {
    alias: [
      { find: "@", replacement: path.resolve(import.meta.dirname) },
      // Tests run server modules in plain Node: `import "server-only"` is the package's own empty
      // react-server entry here, as it is for tsx through tsconfig.json's paths (docs/architecture.md).
      { find: /^server-only$/, replacement: path.resolve(import.meta.dirname, "node_modules/server-only/empty.js") },
    ],
  },
  test: {
    environment: "node",
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: "sqlite",
          include: ["**/*.test.ts", "**/*.test.tsx"],
          exclude: ["node_modules/**", ".next/**", "e2e/**", "**/*.pg.test.ts"],
        },
      },
      ...(postgres
        ? [
            {
              extends: true as const,
              test: {
                name: "pg",
                include: [...onBothEngines, "**/*.pg.test.ts"],
                exclude: ["node_modules/**", ".next/**", "e2e/**", ...sqliteOnly],
                env: { AGENTDESK_TEST_ENGINE: "pg" },
                globalSetup: ["test/pg-setup.ts"],
              },
            },
          ]
        : []),
    ],
  },
});
