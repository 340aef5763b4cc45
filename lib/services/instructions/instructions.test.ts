import { afterEach, beforeEach, expect, it } from "vitest";
import { makeTestDb, people, agent } from "@/test/db";
import * as s from "@/lib/services";

let t: ReturnType<typeof makeTestDb>;
beforeEach(() => (t = makeTestDb()));
afterEach(() => t.cleanup());

it("lists instructions with their task counts, and shows tasks in dependency order", () => {
  const rex = t.ctx(people.reviewer);
  const inst = s.createInstruction(rex, { title: "Orders", body: "b", tier: 3, priority: "high" });
  const other = s.createInstruction(rex, { title: "Empty" });
  const c = s.createTask(rex, { instructionId: inst.id, ref: "T3", title: "third", assignedAgent: "backend-developer", dependsOn: [] });
  const a = s.createTask(rex, { instructionId: inst.id, ref: "T1", title: "first", assignedAgent: "backend-developer" });
  const b = s.createTask(rex, { instructionId: inst.id, ref: "T2", title: "second", assignedAgent: "backend-developer", dependsOn: ["T1"] });
  s.reassignTask(rex, { taskId: c.id, agent: "frontend-developer" });
  const list = s.listInstructions(rex).items;
  expect(list.find((i) => i.id === inst.id)!.taskCounts).toEqual({ total: 3, completed: 0 });
  expect(list.find((i) => i.id === other.id)!.taskCounts).toEqual({ total: 0, completed: 0 });
  const detail = s.getInstruction(rex, inst.id);
  const order = detail.tasks.map((x) => x.id);
  expect(order.indexOf(a.id)).toBeLessThan(order.indexOf(b.id));
  expect(detail.phase).toBe("executing");
  expect(() => s.changeInstructionPhase(rex, { id: inst.id, phase: "routing" })).toThrowError(expect.objectContaining({ code: "illegal_transition" }));
  expect(s.changeInstructionPhase(rex, { id: inst.id, phase: "validating" }).phase).toBe("validating");
  expect(() => s.listInstructions(t.ctx(agent("backend-developer")))).toThrowError(expect.objectContaining({ code: "forbidden" }));
});
