// The crash test's checks (workload.ts verifyDatabase) on PostgreSQL: they pass on what the verbs
// wrote, with a hole in the event ids, and report a lost write, a change without its event and an
// event without its change (the event count against the seed's plus one per change).
import { createTestDatabase, databaseUrl, dropTestDatabase } from "@/test/pg";
import { describeVerification } from "./verify-cases";

describeVerification("pg", () => {
  const name = createTestDatabase();
  return { engine: "pg", location: databaseUrl(name), cleanup: () => dropTestDatabase(name) };
});
