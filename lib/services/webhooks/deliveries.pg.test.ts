import { afterEach, beforeEach, expect, it } from "vitest";
import type { Db } from "@/db/engine";
import { makeTestDb, people, system } from "@/test/db";
import { exec, one, rows } from "@/test/sql";
import * as s from "@/lib/services";
import { collectWebhookDeliveries } from "./deliveries";

// On PostgreSQL event ids can commit out of order (db/engine eventsAfter): a webhook's start (its
// since_event_id) and the collector's mark are positions in the follower order, not ids.
let t: ReturnType<typeof makeTestDb>;
let creator: Db;
let late: Db;
beforeEach(() => {
  t = makeTestDb();
  creator = t.reopen();
  late = t.reopen();
});
afterEach(() => {
  for (const d of [creator, late]) d.$engine.close();
  t.cleanup();
});

const collect = () => collectWebhookDeliveries(t.ctx(system), { baseUrl: "http://dash.example" });
const stored = () =>
  rows<{ event_id: number; verb: string }>(t.db, "SELECT event_id, verb FROM webhook_deliveries ORDER BY created_at, id").map((r) => ({ eventId: Number(r.event_id), verb: r.verb }));

it("an event committed after the webhook was created, with a lower id than its creation's, is delivered once", () => {
  // The webhook's transaction takes its transaction id first; a second one appends an event (a
  // lower id than the webhook's own event to come) and stays open past the webhook's commit.
  exec(creator, "BEGIN");
  one(creator, "SELECT pg_current_xact_id()");
  exec(late, "BEGIN");
  const lateId = Number(
    one<{ id: number }>(
      late,
      "INSERT INTO events (at, actor_kind, actor_id, verb, entity_kind, entity_id, after) VALUES (?, 'system', 'test', 'task.blocked', 'task', 'tsk_late', '{}') RETURNING id",
      Date.now(),
    )!.id,
  );
  const hook = s.createWebhook({ db: creator, actor: people.admin }, { url: "https://example.com/hook", events: ["task.*"] });
  exec(creator, "COMMIT");
  const since = Number(one<{ since_event_id: number }>(t.db, "SELECT since_event_id FROM webhooks WHERE id = ?", hook.id)!.since_event_id);
  expect(lateId).toBeLessThan(since);

  const rex = t.ctx(people.reviewer);
  const task = s.createTask(rex, { instructionId: s.createInstruction(rex, { title: "After the webhook" }).id, title: "Work", assignedAgent: "backend-developer" });
  const createdId = Number(one<{ id: number }>(t.db, "SELECT id FROM events WHERE verb = 'task.created' AND entity_id = ?", task.id)!.id);
  // The late transaction holds the follower back: nothing after it is read yet.
  collect();
  expect(stored()).toEqual([]);

  exec(late, "COMMIT");
  while (collect().more);
  expect(stored()).toEqual([
    { eventId: lateId, verb: "task.blocked" },
    { eventId: createdId, verb: "task.created" },
  ]);
  // Read again from the mark: nothing twice.
  collect();
  expect(stored()).toHaveLength(2);
});
