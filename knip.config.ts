import type { KnipConfig } from "knip";

// Unused files, exports and dependencies (`npm run lint:unused`, part of `npm run lint`). Next's app
// router, Vitest, Playwright, drizzle-kit, PostCSS and ESLint are found by knip's own plugins; the
// entries below are what they cannot see: processes started by path (the CLI through bin/, scripts,
// benchmarks, test children) and each layer's published barrel (lib/<layer>/index.ts).
const config: KnipConfig = {
  entry: ["cli/main.ts", "bin/*.mjs", "scripts/*.{ts,mjs}", "bench/*.ts", "bench/tools/*.{ts,mjs}", "test/**/*.{ts,mjs}", "lib/ops/measure-sync.ts", "lib/*/index.ts"],
  project: ["**/*.{ts,tsx,mjs,js,css}"],
  // A separate throw-away Next app the benchmarks build.
  ignore: ["bench/hello/**"],
  ignoreExportsUsedInFile: true,
  // Run by path, not imported: the real Claude Code CLI the runner tests launch (node_modules/.bin/claude).
  ignoreDependencies: ["@anthropic-ai/claude-code"],
  // PostgreSQL's client tools, from the system (Debian's postgresql-client), not npm: the benchmark
  // loads its dataset with psql \copy; `agentdesk backup`/`restore` call pg_dump and pg_restore.
  ignoreBinaries: ["psql"],
  compilers: {
    // Tailwind 4 is wired from CSS: `@import "tailwindcss"` and `@plugin "@tailwindcss/typography"`.
    css: (text: string) => [...text.matchAll(/@(?:import|plugin)\s+["']([^"']+)["']/g)].map(([, name]) => `import "${name}";`).join("\n"),
  },
};

export default config;
