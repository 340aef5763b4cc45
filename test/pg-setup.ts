import { openPostgres } from "@/db/engine/pg";
import { adminQuery, databaseUrl, runId, templateName } from "./pg";

// vitest globalSetup of the "pg" project: one migrated template database per run; each test
// database is a copy of it (test/db.ts). The template must have no open connection while it is
// copied, so the migrating connection is closed before any test starts.
export default function setup() {
  // Inherited by the test workers (forked after this runs).
  process.env.AGENTDESK_PG_RUN ||= `${process.pid}${Math.random().toString(36).slice(2, 6)}`;
  const name = templateName();
  adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  adminQuery(`CREATE DATABASE "${name}" TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C'`);
  const db = openPostgres(databaseUrl(name));
  db.$engine.close();
  return () => {
    adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    // Databases of this run that a crashed test left behind.
    for (const r of adminQuery(`SELECT datname FROM pg_database WHERE starts_with(datname, $1)`, [`t_${runId()}_`])) adminQuery(`DROP DATABASE IF EXISTS "${String(r.datname)}" WITH (FORCE)`);
  };
}
