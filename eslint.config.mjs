import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

// The layers and who may import whom: docs/architecture.md ("Layers"). Each rule below is one row
// of that table; change both together. Type-only imports are allowed where noted: they vanish at
// build time and carry no code.
const DOC = "docs/architecture.md";

/** Import patterns (gitignore style, matched against the import string) by what they reach. */
const reach = {
  db: ["@/db", "@/db/*", "**/db/client", "**/db/schema", "**/db/schema/*", "**/db/migrate", "**/db/index"],
  sql: ["drizzle-orm", "drizzle-orm/*", "better-sqlite3"],
  framework: ["next", "next/*", "react", "react/*", "react-dom", "react-dom/*"],
  ui: ["@/app/*", "@/components/*", "@/lib/queries", "@/lib/queries/*"],
  http: ["@/lib/http", "@/lib/http/*"],
  services: ["@/lib/services", "@/lib/services/*"],
  runners: ["@/lib/runners", "@/lib/runners/*"],
  protocol: ["@/lib/protocol", "@/lib/protocol/*"],
  cli: ["@/cli/*"],
};

const rule = (group, message, allowTypeImports = false) => ({ group, message: `${message} (${DOC})`, allowTypeImports });
const restrict = (...patterns) => ({ "@typescript-eslint/no-restricted-imports": ["error", { patterns }] });

const noDb = (who) => rule(reach.db, `${who} may reach data only through lib/services, never db/`, true);
const noSql = (who) => rule(reach.sql, `${who}: no SQL of its own; drizzle-orm and better-sqlite3 belong to db/ and lib/services`, true);

// Modules a "use client" file must not import as values: they hold secrets, open the database or need
// Node. `import type` is fine. Checked by the local rule below, since ESLint selects files by name only.
const SERVER_ONLY = [
  /^@\/db(\/|$)/,
  /^(\.\.\/)+db\//,
  /^@\/lib\/services(\/|$)/,
  /^@\/lib\/http(\/|$)/,
  /^@\/lib\/auth(\/|$)/,
  /^@\/lib\/runners(\/|$)/,
  /^@\/lib\/protocol(\/|$)/,
  /^@\/lib\/agents(\/|$)/,
  /^@\/lib\/ops(\/|$)/,
  /^@\/lib\/log$/,
  /^@\/cli(\/|$)/,
  /^node:/,
  /^server-only$/,
  /^(drizzle-orm|better-sqlite3|pino|chokidar)(\/|$)/,
];

const isTypeOnly = (node) =>
  node.importKind === "type" || node.exportKind === "type" || (node.specifiers?.length > 0 && node.specifiers.every((s) => s.importKind === "type" || s.exportKind === "type"));

const agentdesk = {
  rules: {
    "client-imports": {
      meta: {
        type: "problem",
        schema: [],
        messages: { server: `A "use client" module imports {{source}}, which is server-only: import its types with \`import type\`, or reach it through lib/queries and the API (${DOC}).` },
      },
      create(context) {
        let client = false;
        const check = (node) => {
          const source = node.source?.value;
          if (!client || typeof source !== "string" || isTypeOnly(node)) return;
          if (SERVER_ONLY.some((re) => re.test(source))) context.report({ node: node.source, messageId: "server", data: { source } });
        };
        return {
          Program(program) {
            client = program.body.some((s) => s.type === "ExpressionStatement" && s.directive === "use client");
          },
          ImportDeclaration: check,
          ExportNamedDeclaration: check,
          ExportAllDeclaration: check,
          ImportExpression: (node) => check({ source: node.source }),
        };
      },
    },
  },
};

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([".next/**", "node_modules/**", "data/**", "test-results/**", "playwright-report/**", "next-env.d.ts", "bench/results/**", "bench/hello/.next/**", "dist/**"]),
  {
    plugins: { agentdesk },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "agentdesk/client-imports": "error",
    },
  },
  // Pages, components, the browser's queries, the HTTP API and the CLI never touch the database layer.
  {
    files: ["app/**", "components/**", "lib/queries/**", "lib/http/**", "cli/**"],
    ignores: ["**/*.test.ts", "**/*.test.tsx"],
    rules: restrict(noDb("Pages, components, client code, routes and the CLI"), noSql("They")),
  },
  // The vocabulary is the bottom of the house: it imports nothing of the app.
  // One exemption: the transcript parser's test feeds it through the runners' real LineSplitter.
  {
    files: ["lib/domain/**"],
    ignores: ["lib/domain/transcript.test.ts"],
    rules: restrict(rule(["@/*", "../*", "node:*", ...reach.framework], "lib/domain is plain words and rules: it imports nothing of the app, no framework, no Node")),
  },
  // The schema and migrations sit on the vocabulary and nothing else of the app.
  {
    files: ["db/**"],
    ignores: ["**/*.test.ts"],
    rules: restrict({ regex: "^(@/|(\\.\\./)+)(lib/(?!domain/)|app/|components/|cli/)", message: `db/ imports only lib/domain of the app (${DOC})` }),
  },
  // Services stay framework-free so every transport can call them, and sit below every transport.
  {
    files: ["lib/services/**"],
    ignores: ["**/*.test.ts"],
    rules: restrict(
      rule([...reach.framework, ...reach.ui, ...reach.http], "Services import no Next.js, React, page or route code"),
      rule([...reach.runners, ...reach.protocol, ...reach.cli], "Services sit below the runners, the folder bridge and the CLI, which call them"),
    ),
  },
  // The agent definition loader: a pure parser of files, no database, no services.
  {
    files: ["lib/agents/**"],
    ignores: ["**/*.test.ts"],
    rules: restrict(
      rule([...reach.framework, ...reach.ui, ...reach.http], "The agent loader imports no Next.js, React, page or route code"),
      rule([...reach.db, ...reach.sql, ...reach.services, ...reach.runners, ...reach.cli], "The agent loader only reads files: no database, no services (lib/services/agents syncs what it returns)"),
      { regex: "^@/lib/protocol(?!/yaml$)(/|$)", message: `From the folder bridge the agent loader takes only the YAML limits, lib/protocol/yaml (${DOC})` },
    ),
  },
  // The runners and the folder bridge: Node code that reaches the database only through service verbs.
  {
    files: ["lib/runners/**"],
    ignores: ["**/*.test.ts"],
    rules: restrict(
      rule([...reach.framework, ...reach.ui, ...reach.http, ...reach.protocol, ...reach.cli], "The runners import no Next.js, React, page, route, folder-bridge or CLI code"),
      noDb("The runners"),
      noSql("The runners"),
    ),
  },
  {
    files: ["lib/protocol/**"],
    ignores: ["**/*.test.ts", "lib/protocol/test-support.ts"],
    rules: restrict(
      rule([...reach.framework, ...reach.ui, ...reach.http, ...reach.runners, ...reach.cli], "The folder bridge imports no Next.js, React, page, route, runner or CLI code"),
      noDb("The folder bridge"),
      noSql("The folder bridge"),
    ),
  },
  // Actors and secrets sit below the services (which import them). Only the pages' adapter,
  // page-context.ts, uses Next.js and calls the services. No React anywhere in lib/auth.
  {
    files: ["lib/auth/page-context.ts"],
    rules: restrict(
      rule(
        ["react", "react/*", "react-dom", "react-dom/*", ...reach.ui, ...reach.http, ...reach.runners, ...reach.protocol, ...reach.cli],
        "lib/auth imports no React, page, route, runner, bridge or CLI code",
      ),
      noSql("lib/auth"),
    ),
  },
  {
    files: ["lib/auth/**"],
    ignores: ["**/*.test.ts", "lib/auth/page-context.ts"],
    rules: restrict(
      rule(
        [...reach.framework, ...reach.ui, ...reach.http, ...reach.runners, ...reach.protocol, ...reach.cli],
        "lib/auth imports no Next.js (but page-context.ts), React, page, route, runner, bridge or CLI code",
      ),
      rule([...reach.services, ...reach.db, ...reach.sql], "Actors and secrets sit below the services, which import them; only page-context.ts calls the services", true),
    ),
  },
  // server.ts composes the process: database, API, pages, runners, bridge. It serves pages through Next, never imports them.
  {
    files: ["server.ts"],
    rules: restrict(rule(["react", "react/*", "react-dom", "react-dom/*", ...reach.ui], "server.ts hands pages to Next and never imports page, component or client code"), noSql("server.ts")),
  },
]);
