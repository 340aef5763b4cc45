// Test helper (no test in it): the real API app on a fresh migrated database, called in-process.
import type { SqliteDb as Db } from "@/db/client";
import { createApiApp } from "@/lib/http/app";
import { claimTask, createInstruction, createTask, createToken } from "@/lib/services";
import { makeTestDb, people, system } from "@/test/db";

export interface InProcessApi {
  db: Db;
  file: string;
  token: string;
  taskId: string;
  request: (path: string, init?: { method?: string; body?: unknown; headers?: Record<string, string>; token?: string | null }) => Promise<Response>;
  counts: () => Record<string, number>;
  cleanup: () => void;
}

/** One instruction, one claimed task for backend-developer, and that agent's token. */
export function inProcessApi(): InProcessApi {
  const t = makeTestDb();
  const { app, hub } = createApiApp(t.db);
  const inst = createInstruction(t.ctx(people.admin), { title: "Ops" });
  const task = createTask(t.ctx(people.admin), { instructionId: inst.id, title: "Ops task", assignedAgent: "backend-developer", authority: "autonomous" });
  const token = createToken({ db: t.db, actor: system }, { agent: "backend-developer" }).token;
  claimTask(t.ctx({ kind: "agent", name: "backend-developer" }), { taskId: task.id });
  const request: InProcessApi["request"] = (path, init = {}) => {
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    const bearer = init.token === undefined ? token : init.token;
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    if (init.body !== undefined) headers["content-type"] = "application/json";
    return Promise.resolve(
      app.request(`http://localhost${path}`, {
        method: init.method ?? (init.body === undefined ? "GET" : "POST"),
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      }),
    );
  };
  const counts = () => {
    const out: Record<string, number> = {};
    for (const table of ["events", "messages", "messages_fts_docsize", "outputs", "task_steps", "tasks"]) {
      out[table] = (t.db.$client.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    }
    out.stepsDone = (t.db.$client.prepare(`SELECT count(*) AS n FROM task_steps WHERE status <> 'pending'`).get() as { n: number }).n;
    return out;
  };
  return {
    db: t.db,
    file: t.file,
    token,
    taskId: task.id,
    request,
    counts,
    cleanup: () => {
      hub.closeAll();
      t.cleanup();
    },
  };
}
