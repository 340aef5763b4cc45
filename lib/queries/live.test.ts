import { describe, expect, it } from "vitest";
import { PEOPLE_INBOX } from "@/lib/domain/vocabulary";
import { keys } from "./keys";
import { keysForEvent, type ChangeEvent } from "./live";

const event = (e: Partial<ChangeEvent>): ChangeEvent => ({
  id: 1,
  verb: "x",
  entityKind: "task",
  entityId: "e",
  taskId: null,
  instructionId: null,
  actor: { kind: "agent", id: "backend-developer" },
  ...e,
});
const has = (ks: readonly unknown[][], k: readonly unknown[]) => ks.some((x) => JSON.stringify(x) === JSON.stringify(k));

describe("the keys a live event invalidates (agent views)", () => {
  it("a task event reaches every agent view: its status is an agent's load", () => {
    const ks = keysForEvent(event({ verb: "task.claimed", entityKind: "task", taskId: "tsk_1" })) as unknown[][];
    expect(has(ks, keys.agents)).toBe(true);
    expect(has(ks, keys.allAgentDetails)).toBe(true);
    expect(has(ks, keys.tasks)).toBe(true);
  });

  it("a step event refreshes tasks, not agents (a step that blocks its task appends a task event)", () => {
    const ks = keysForEvent(event({ verb: "step.done", entityKind: "step", taskId: "tsk_1" })) as unknown[][];
    expect(has(ks, keys.tasks)).toBe(true);
    expect(has(ks, keys.agents)).toBe(false);
    expect(has(ks, keys.allAgentDetails)).toBe(false);
  });

  it("a message sent to or marked in an agent's inbox reaches the agents list and that agent's page", () => {
    for (const verb of ["message.sent", "message.marked"]) {
      const ks = keysForEvent(event({ verb, entityKind: "message", entityId: "msg_1", inbox: "frontend-developer" })) as unknown[][];
      expect(has(ks, keys.agents), verb).toBe(true);
      expect(has(ks, keys.agent("frontend-developer")), verb).toBe(true);
      expect(has(ks, keys.allAgentDetails), verb).toBe(false);
      expect(has(ks, keys.inbox("frontend-developer")), verb).toBe(true);
    }
  });

  it("the people's inbox is no agent's; a message without one inbox (a file import) reaches every agent", () => {
    const people = keysForEvent(event({ verb: "message.sent", entityKind: "message", entityId: "msg_1", inbox: PEOPLE_INBOX })) as unknown[][];
    expect(has(people, keys.agents)).toBe(false);
    expect(has(people, keys.counts)).toBe(true);
    const imported = keysForEvent(event({ verb: "message.updated_from_file", entityKind: "message", entityId: "msg_1", inbox: "frontend-developer" })) as unknown[][];
    expect(has(imported, keys.agents)).toBe(true);
    expect(has(imported, keys.allAgentDetails)).toBe(true);
  });

  it("an agent event reaches the list and that agent's page; run log flushes reach nothing", () => {
    const ks = keysForEvent(event({ verb: "agent.updated", entityKind: "agent", entityId: "backend-developer" })) as unknown[][];
    expect(has(ks, keys.agents)).toBe(true);
    expect(has(ks, keys.agent("backend-developer"))).toBe(true);
    expect(keysForEvent(event({ verb: "run.output", entityKind: "run" }))).toEqual([]);
  });

  it("the agents page's and the palette's list sits under keys.agents, so the same invalidation reaches it", () => {
    expect(keys.agentSummaries.slice(0, keys.agents.length)).toEqual([...keys.agents]);
  });
});
