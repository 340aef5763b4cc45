import { defineConfig } from "drizzle-kit";

// PostgreSQL migrations (npm run db:generate:pg). db/schema-pg is generated from db/schema
// (npm run db:schema-pg): edit db/schema, never db/schema-pg.
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema-pg/index.ts",
  out: "./db/migrations-pg",
});
