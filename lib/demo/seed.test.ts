import { afterEach, beforeEach, expect, it } from "vitest";
import { makeTestDb, people, system } from "@/test/db";
import * as s from "@/lib/services";
import { DEMO_LEASE_MS, seedDemo } from "./seed";

let t: ReturnType<typeof makeTestDb>;
beforeEach(() => (t = makeTestDb()));
afterEach(() => t.cleanup());

const MIN = 60_000;

/** What a newcomer looks at: work in progress, a blocked task, an output awaiting review, unread messages. */
function demoState(now: number) {
  const admin = t.ctx(people.admin, () => now);
  const o = s.getOverview(admin);
  const blocked = s.listTasks(admin, { status: "blocked" }).items;
  return {
    inProgress: o.taskCounts.in_progress ?? 0,
    blocked: blocked.length,
    blockedReason: blocked[0] ? s.getTask(admin, blocked[0].id).blockedReason : null,
    blockedStep: blocked[0] ? s.getTask(admin, blocked[0].id).steps.find((st) => st.status === "blocked")?.note : null,
    awaitingReview: o.awaitingReview,
    unread: o.unreadInPeopleInbox,
    stale: o.staleTasks.length,
  };
}

it("the demo is alive at the moment of seeding and still alive after the sweeper has run for ten minutes, and an hour", () => {
  const seededAt = Date.now();
  seedDemo(t.db, { now: seededAt });
  const fresh = demoState(seededAt);
  expect(fresh).toMatchObject({ inProgress: 1, blocked: 1, blockedStep: "Is revenue gross or net of refunds?", stale: 0 });
  expect(fresh.awaitingReview).toBeGreaterThan(0);
  expect(fresh.blockedReason).toContain("Is revenue gross or net of refunds?");
  expect(fresh.unread).toBeGreaterThan(0);

  // Nothing in the story happens after the moment of seeding.
  const events = s.listEvents(t.ctx(people.admin), { limit: 200 });
  expect(Math.max(...events.map((e) => Date.parse(e.at)))).toBeLessThanOrEqual(seededAt);

  // The server's sweeper runs every 30 s; run it on its own clock over the next hour.
  for (let at = seededAt; at <= seededAt + 60 * MIN; at += 30_000) {
    expect(s.sweepLeases(t.ctx(system, () => at))).toMatchObject({ reminded: 0, recovered: 0 });
  }
  expect(demoState(seededAt + 10 * MIN)).toEqual(fresh);
  expect(demoState(seededAt + 60 * MIN)).toEqual(fresh);
  const inProgress = s.listTasks(t.ctx(people.admin), { status: "in_progress" }).items[0];
  expect(Date.parse(s.getTask(t.ctx(people.admin), inProgress.id).lease!.expiresAt)).toBe(seededAt + DEMO_LEASE_MS);
});
