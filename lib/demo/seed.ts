import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { agentDirsFromEnv, loadAgentDefinitions } from "@/lib/agents";
import type { Actor } from "@/lib/auth/actor";
import { hashPasswordSync } from "@/lib/auth/secrets-sync";
import * as s from "@/lib/services";
import { writeLease } from "@/lib/services/tasks/load";

export const DEMO_PASSWORD = "agentdesk-demo";
export const demoPeople = [
  { email: "ada@agentdesk.local", name: "Ada Admin", role: "admin" as const },
  { email: "rex@agentdesk.local", name: "Rex Reviewer", role: "reviewer" as const },
  { email: "vi@agentdesk.local", name: "Vi Viewer", role: "viewer" as const },
];

const MIN = 60_000;
/** The demo's task in progress holds its lease this long from the moment of seeding. */
export const DEMO_LEASE_MS = 24 * 60 * MIN;
/** How long the story takes, in minutes: it ends a few minutes before the moment of seeding. */
const STORY_MINUTES = 124;

/**
 * A living demo, made through the service verbs (so every row has its events): three instructions,
 * backend-developer tasks at different steps (one blocked, one awaiting review in its second round
 * with two output versions), consultation and review threads among the three agents and a person.
 *
 * Every time is relative to the moment of seeding: the story ends just before it, the task in
 * progress has just sent a heartbeat and holds a lease of DEMO_LEASE_MS, and the blocked task waits
 * for a person (the lease sweeper leaves it alone). A demo started right after seeding stays alive.
 */
export function seedDemo(db: Db, opts: { now?: number } = {}): { users: { email: string; password: string; role: string }[]; skipped: boolean } {
  const already = db.get<{ n: number }>(sql`SELECT count(*) AS n FROM instructions`);
  if (already && already.n > 0) return { users: [], skipped: true };

  const system: Actor = { kind: "system", name: "seed" };
  s.syncAgents({ db, actor: system }, loadAgentDefinitions(agentDirsFromEnv()).agents);
  const names = new Set(s.listAgents({ db, actor: system }).map((a) => a.name));
  for (const needed of ["backend-developer", "frontend-developer", "security-specialist"]) {
    if (!names.has(needed)) throw new Error(`The demo needs the agent ${needed} (AGENTS_DIR must include ./agents)`);
  }

  // A clock that starts before the moment of seeding and moves forward as the story unfolds.
  const seededAt = opts.now ?? Date.now();
  let t = seededAt - STORY_MINUTES * MIN;
  const tick = (minutes: number) => (t += minutes * MIN);
  const at = (actor: Actor): s.ServiceContext => ({ db, actor, now: () => t });

  const users = demoPeople.map((p) => {
    const u = s.findUserByEmail({ db }, p.email) ?? s.createUser(at(system), { ...p, passwordHash: hashPasswordSync(DEMO_PASSWORD) });
    return { ...p, id: u.id };
  });
  const ada: Actor = { kind: "person", id: users[0].id, email: users[0].email, name: users[0].name, role: "admin" };
  const rex: Actor = { kind: "person", id: users[1].id, email: users[1].email, name: users[1].name, role: "reviewer" };
  const backend: Actor = { kind: "agent", name: "backend-developer" };
  const frontend: Actor = { kind: "agent", name: "frontend-developer" };
  const security: Actor = { kind: "agent", name: "security-specialist" };

  const orders = s.createInstruction(at(ada), {
    title: "Orders API for the storefront",
    body: "Customers need to place and list orders.\n\n- `POST /api/orders` creates an order from the cart\n- `GET /api/orders` lists a customer's orders, newest first\n- Payments stay in the payments module\n",
    tier: 3,
    priority: "high",
  });
  tick(2);
  const auth = s.createInstruction(at(rex), {
    title: "Rotate API keys without downtime",
    body: "Partners must be able to hold two keys during a rotation window of 24 hours.",
    tier: 2,
    priority: "normal",
  });
  tick(1);
  const reports = s.createInstruction(at(rex), {
    title: "Weekly revenue report endpoint",
    body: "Finance wants a JSON endpoint with revenue per week for the last 12 weeks.",
    tier: 1,
    priority: "low",
  });

  // 1. In progress at step 6, with a consultation answered at step 4 and an output at step 5.
  tick(3);
  const create = s.createTask(at(rex), {
    instructionId: orders.id,
    ref: "T1",
    title: "Implement POST /api/orders",
    description: "Create an order from the customer's cart, validate stock, and return the order with its lines.",
    assignedAgent: "backend-developer",
    acceptanceCriteria: ["Returns 201 with the order", "Rejects an empty cart with 422", "Stock is checked in the same transaction"],
    filesToModify: ["app/api/orders/route.ts", "db/schema/orders.ts"],
    filesToCreate: ["lib/orders/create-order.ts", "lib/orders/create-order.test.ts"],
    priority: "high",
    authority: "review_required",
  });
  tick(1);
  const list = s.createTask(at(rex), {
    instructionId: orders.id,
    ref: "T2",
    title: "Implement GET /api/orders with cursor paging",
    description: "List a customer's orders newest first, 20 per page, keyset paging.",
    assignedAgent: "backend-developer",
    acceptanceCriteria: ["Pages by cursor", "Uses an index on (customer_id, created_at)"],
    filesToCreate: ["lib/orders/list-orders.ts"],
    dependsOn: ["T1"],
    priority: "normal",
    authority: "review_required",
  });
  void list;

  tick(2);
  s.claimTask(at(backend), { taskId: create.id });
  const step = (pos: number, status: "in_progress" | "done" | "blocked" | "skipped", note?: string, minutes = 2) => {
    tick(minutes);
    s.updateStep(at(backend), { taskId: create.id, position: pos, status, note });
  };
  step(1, "in_progress", "Reading the orders spec");
  step(1, "done", "Three acceptance criteria; stock check must be transactional");
  step(2, "in_progress", "Looking at the payments module for patterns");
  step(2, "done", "Found the repository + service pattern in lib/payments", 5);
  step(3, "in_progress");
  step(3, "done", "Plan: orders + order_lines tables, one service verb, zod input", 3);
  step(4, "in_progress", "Asking frontend about the response shape");
  tick(1);
  const consult = s.sendMessage(at(backend), {
    to: "frontend-developer",
    type: "consultation",
    subject: "Order response shape for the checkout page",
    body: "I plan to return `{ id, status, lines: [{ sku, qty, unitPrice }], total }` from `POST /api/orders`.\n\nDo you need the product names inline, or will you look them up?",
    taskId: create.id,
    stepPosition: 4,
    priority: "normal",
  });
  tick(6);
  s.replyToMessage(at(frontend), {
    messageId: consult.id,
    body: "Inline product names, please: the confirmation screen renders straight from the response. Money as integer cents.",
  });
  step(4, "done", "Agreed: names inline, money in integer cents", 2);
  step(5, "in_progress", "Writing the handler and the service verb");
  tick(20);
  s.submitOutput(at(backend), {
    taskId: create.id,
    format: "code",
    language: "typescript",
    content: `import { z } from "zod";\n\nexport const CreateOrder = z.object({\n  cartId: z.string(),\n});\n\nexport async function POST(req: Request) {\n  const input = CreateOrder.parse(await req.json());\n  const order = await createOrder(input);\n  return Response.json(order, { status: 201 });\n}\n`,
    files: [
      { path: "app/api/orders/route.ts", action: "created", additions: 12, deletions: 0 },
      { path: "lib/orders/create-order.ts", action: "created", additions: 48, deletions: 0 },
    ],
  });
  step(5, "done", "Handler, service verb and schema in place", 3);
  step(6, "in_progress", "Adding an index on orders(customer_id, created_at)", 2);

  // 2. Awaiting review in round 2, with two versions: v1 sent back, v2 waiting.
  tick(2);
  const keys = s.createTask(at(rex), {
    instructionId: auth.id,
    ref: "T1",
    title: "Dual API keys during rotation",
    description: "Allow two active keys per partner for 24 hours after a rotation starts.",
    assignedAgent: "backend-developer",
    acceptanceCriteria: ["Both keys work during the window", "The old key stops working after 24 h", "Keys are stored hashed"],
    filesToModify: ["lib/auth/api-keys.ts"],
    priority: "high",
    authority: "review_required",
  });
  tick(1);
  s.claimTask(at(backend), { taskId: keys.id });
  for (let pos = 1; pos <= 10; pos++) {
    tick(1);
    if (pos === 8) {
      s.updateStep(at(backend), { taskId: keys.id, position: pos, status: "in_progress", note: "Asking security-specialist to review key storage" });
      const req = s.sendMessage(at(backend), {
        to: "security-specialist",
        type: "review_request",
        subject: "Review: hashed API keys and the rotation window",
        body: "Keys are stored as SHA-256 of a 256-bit random secret; comparison is by hash lookup. Please check the rotation window logic in `lib/auth/api-keys.ts`.",
        taskId: keys.id,
        stepPosition: 8,
        priority: "high",
      });
      tick(4);
      s.replyToMessage(at(security), {
        messageId: req.id,
        body: "review_result: approved_with_changes\n\nfindings:\n- issue: old key still valid after revoke\n  severity: high\n  recommendation: check revoked_at on every lookup",
      });
      s.updateStep(at(backend), { taskId: keys.id, position: pos, status: "done", note: "Security review: approved with one change (applied)" });
      continue;
    }
    if (pos === 9) {
      s.updateStep(at(backend), { taskId: keys.id, position: pos, status: "skipped", note: "No load path changed" });
      continue;
    }
    s.updateStep(at(backend), { taskId: keys.id, position: pos, status: "done", note: pos === 5 ? "Two-key lookup implemented" : undefined });
    if (pos === 5) {
      s.submitOutput(at(backend), {
        taskId: keys.id,
        format: "markdown",
        content: "## Dual keys\n\nDuring a rotation both keys are accepted for 24 hours.\n\n- Keys stored as SHA-256\n- `rotated_at` marks the window start\n",
        files: [{ path: "lib/auth/api-keys.ts", action: "modified", additions: 30, deletions: 4 }],
      });
    }
  }
  tick(2);
  s.completeTask(at(backend), { taskId: keys.id, summary: "Dual keys with a 24 h window" });
  const v1 = s.getTask(at(rex), keys.id).outputs[0];
  tick(10);
  s.requestOutputChanges(at(rex), { outputId: v1.id, comment: "Please describe what happens when a third rotation starts inside the window, and add the revoke check security asked for." });
  // Round 2: the task is back in the queue with its steps reset (round 1's are kept); the agent
  // claims it again, works through the steps, hands in v2 and completes it into review.
  tick(5);
  s.claimTask(at(backend), { taskId: keys.id });
  const round2 = (steps: [number, "done" | "skipped", string?][]) => {
    for (const [position, status, note] of steps) {
      tick(1);
      s.updateStep(at(backend), { taskId: keys.id, position, status, note });
    }
  };
  round2([
    [1, "done", "Review comment: the third rotation inside the window, and the revoke check"],
    [2, "done"],
    [3, "done", "Plan: a third rotation revokes the oldest key at once"],
    [4, "skipped", "No change to the API contract"],
    [5, "done", "Third-rotation rule and revoke check implemented"],
  ]);
  tick(2);
  s.submitOutput(at(backend), {
    taskId: keys.id,
    format: "markdown",
    content:
      "## Dual keys\n\nDuring a rotation both keys are accepted for 24 hours.\n\n- Keys stored as SHA-256\n- `rotated_at` marks the window start\n- A third rotation inside the window revokes the oldest key at once\n- Every lookup checks `revoked_at`\n",
    files: [{ path: "lib/auth/api-keys.ts", action: "modified", additions: 41, deletions: 6 }],
  });
  round2([
    [6, "done"],
    [7, "done", "Tests for a third rotation and a revoked key"],
    [8, "done", "The revoke check is the change security asked for in round 1"],
    [9, "skipped", "No load path changed"],
    [10, "done", "Documented the rotation window"],
  ]);
  tick(1);
  s.completeTask(at(backend), { taskId: keys.id, summary: "Addressed review: third rotation and revoke check" });

  // 3. Blocked on an unclear requirement, escalated to the people's inbox.
  tick(3);
  const report = s.createTask(at(rex), {
    instructionId: reports.id,
    ref: "T1",
    title: "Revenue per week endpoint",
    description: "GET /api/reports/revenue?weeks=12",
    assignedAgent: "backend-developer",
    acceptanceCriteria: ["12 weeks by default", "Weeks start on Monday (UTC)"],
    priority: "low",
    authority: "autonomous",
  });
  tick(1);
  s.claimTask(at(backend), { taskId: report.id });
  tick(2);
  s.updateStep(at(backend), { taskId: report.id, position: 1, status: "in_progress", note: "Reading the request" });
  tick(2);
  s.updateStep(at(backend), { taskId: report.id, position: 1, status: "blocked", note: "Is revenue gross or net of refunds?" });
  s.sendMessage(at(backend), {
    to: "hitl",
    type: "escalation",
    subject: "Gross or net revenue?",
    body: "The report request does not say whether refunds are subtracted. Which one does finance expect?",
    taskId: report.id,
    stepPosition: 1,
    priority: "high",
  });

  // 4. A pending task for the frontend and a status update for the people.
  tick(2);
  s.createTask(at(rex), {
    instructionId: orders.id,
    ref: "T3",
    title: "Checkout confirmation screen",
    description: "Render the order returned by POST /api/orders.",
    assignedAgent: "frontend-developer",
    acceptanceCriteria: ["Shows product names and totals", "Keyboard reachable"],
    dependsOn: ["T1"],
    priority: "normal",
    authority: "review_required",
  });
  tick(1);
  s.sendMessage(at(frontend), {
    to: "hitl",
    type: "status_update",
    subject: "Waiting on the orders API",
    body: "The confirmation screen starts as soon as `POST /api/orders` is approved.",
    instructionId: orders.id,
  });

  if (t > seededAt) throw new Error(`The demo story runs ${Math.round((t - seededAt) / MIN)} min past the moment of seeding: lengthen STORY_MINUTES`);
  // The agent on T1 is alive right now: a heartbeat at the moment of seeding, and a demo-long lease.
  t = seededAt;
  s.heartbeatTask(at(backend), { taskId: create.id });
  db.transaction((tx) => writeLease(tx, create.id, seededAt, seededAt + DEMO_LEASE_MS));

  return { users: users.map((u) => ({ email: u.email, password: DEMO_PASSWORD, role: u.role })), skipped: false };
}
