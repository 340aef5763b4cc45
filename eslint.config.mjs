import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

// Type-only imports are allowed: they vanish at build time and carry no database code.
const dbImports = {
  patterns: [
    { group: ["@/db", "@/db/*", "**/db/*", "../db/*", "../../db/*"], allowTypeImports: true, message: "Pages, components and client code reach data through lib/services (DESIGN.md §3), never db/." },
    { group: ["drizzle-orm", "drizzle-orm/*"], allowTypeImports: true, message: "drizzle-orm belongs to db/ and lib/services only." },
    { group: ["better-sqlite3"], allowTypeImports: true, message: "The database is opened by db/client.ts only." },
  ],
};

const frameworkImports = {
  patterns: [
    { group: ["next", "next/*", "react", "react-dom", "react/*", "@/app/*", "@/components/*", "@/lib/http/*"], message: "Services import no Next.js, React or route code (DESIGN.md §3)." },
  ],
};

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([".next/**", "node_modules/**", "data/**", "test-results/**", "playwright-report/**", "next-env.d.ts", "bench/results/**", "bench/hello/.next/**"]),
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  // The layering rule: routes, pages, components and client code never touch the database layer.
  {
    files: ["app/**", "components/**", "lib/queries/**", "lib/http/**", "cli/**"],
    ignores: ["**/*.test.ts", "**/*.test.tsx"],
    rules: { "@typescript-eslint/no-restricted-imports": ["error", dbImports] },
  },
  // Services stay framework-free so every transport can call them.
  {
    files: ["lib/services/**", "lib/agents/**", "lib/protocol/**"],
    rules: { "@typescript-eslint/no-restricted-imports": ["error", frameworkImports] },
  },
]);
