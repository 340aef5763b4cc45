import { DataPathError, defaultDatabasePath, openDatabase } from "@/db/client";
import { seedDemo } from "@/lib/demo/seed";

const file = defaultDatabasePath();
let db;
try {
  db = openDatabase(file);
} catch (err) {
  if (!(err instanceof DataPathError)) throw err;
  process.stderr.write(`The demo could not be loaded: ${err.message}\n`);
  process.exit(1);
}
const result = seedDemo(db);
db.$client.close();
if (result.skipped) {
  console.log(`${file} already holds instructions: the demo was not loaded again.`);
} else {
  console.log(`Demo data loaded into ${file}. Sign in with:`);
  for (const u of result.users) console.log(`  ${u.role.padEnd(8)} ${u.email}  password: ${u.password}`);
  console.log("Then: npm start");
}
