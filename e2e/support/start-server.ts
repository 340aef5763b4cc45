// The server under test: a throw-away database with the demo loaded, then the real server.ts
// (production build, the same process layout as `npm start`).
import fs from "node:fs";
import path from "node:path";
import { openDatabase } from "@/db/client";
import { seedDemo } from "@/lib/demo/seed";

const file = process.env.DATABASE_PATH!;
fs.mkdirSync(path.dirname(file), { recursive: true });
for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(file + suffix, { force: true });
const db = openDatabase(file);
seedDemo(db);
db.$client.close();

await import("../../server");
