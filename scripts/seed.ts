import { defaultDatabasePath, openDatabase } from "@/db/client";
import { seedDemo } from "@/lib/demo/seed";

const file = defaultDatabasePath();
const db = openDatabase(file);
const result = seedDemo(db);
db.$client.close();
if (result.skipped) {
  console.log(`${file} already holds instructions: the demo was not loaded again.`);
} else {
  console.log(`Demo data loaded into ${file}. Sign in with:`);
  for (const u of result.users) console.log(`  ${u.role.padEnd(8)} ${u.email}  password: ${u.password}`);
}
