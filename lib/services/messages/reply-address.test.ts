import { describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/actor";
import { replyAddress } from "./reply-to-message";

const person = { kind: "person", id: "u1", email: "ada@x.dev", name: "Ada", role: "reviewer" } as unknown as Actor;
const agent = (name: string) => ({ kind: "agent", name, tokenId: "t1" }) as unknown as Actor;

describe("replyAddress: where a reply lands (the thread DTO sends it to the dashboard)", () => {
  it("goes to the agent who sent the message, typed by the protocol", () => {
    expect(replyAddress(person, { fromKind: "agent", fromName: "backend-developer", toInbox: "hitl", type: "escalation" })).toEqual({ to: "backend-developer", type: "escalation_response" });
  });
  it("a person following up on a person's message continues with its recipient, not the people's inbox", () => {
    expect(replyAddress(person, { fromKind: "person", fromName: "rex@x.dev", toInbox: "frontend-developer", type: "delegation" })).toEqual({ to: "frontend-developer", type: "status_update" });
  });
  it("an agent answering a person goes to the people's inbox; its own message to its recipient", () => {
    expect(replyAddress(agent("qa"), { fromKind: "person", fromName: "ada@x.dev", toInbox: "qa", type: "consultation" }).to).toBe("hitl");
    expect(replyAddress(agent("qa"), { fromKind: "agent", fromName: "qa", toInbox: "backend-developer", type: "odd_type" })).toEqual({ to: "backend-developer", type: "reply" });
  });
  it("a person answering AgentDesk's own message about a task answers that task's agent; without a task it stays with the people", () => {
    const failed = { fromKind: "system", fromName: "agentdesk", toInbox: "hitl", type: "escalation" };
    expect(replyAddress(person, failed, "backend-developer")).toEqual({ to: "backend-developer", type: "escalation_response" });
    expect(replyAddress(person, failed, null).to).toBe("hitl");
    expect(replyAddress(agent("qa"), failed, "backend-developer").to).toBe("hitl");
  });
});
