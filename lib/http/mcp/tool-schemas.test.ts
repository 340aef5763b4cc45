import { describe, expect, test } from "vitest";
import { z } from "zod";
import { BlockTaskInput, ClaimTaskInput, CompleteTaskInput, HeartbeatInput, MarkMessageInput, ReplyToMessageInput, SendMessageInput, SubmitOutputInput, UpdateStepInput } from "@/lib/services";
import { MCP_TOOL_NAMES, toolInputShapes } from "./tools";
import { toolOutputSchemas } from "./output-schemas";

// The MCP tools take the service verbs' own fields (as REST's bodies do): same types, bounds and
// enumerations, only a description added. A field restated by hand would drift; this finds it.
const serviceSchemaOf: Partial<Record<(typeof MCP_TOOL_NAMES)[number], z.ZodObject>> = {
  claim_task: ClaimTaskInput,
  get_task: HeartbeatInput,
  heartbeat: HeartbeatInput,
  update_step: UpdateStepInput,
  submit_output: SubmitOutputInput,
  complete_task: CompleteTaskInput,
  block_task: BlockTaskInput,
  send_message: SendMessageInput,
  reply_to_message: ReplyToMessageInput,
  mark_read: MarkMessageInput,
};

// Fields the tools state themselves, on purpose: priority lists the canonical values (the service also
// takes the protocol's `medium`, through a preprocess JSON Schema cannot show).
const ownFields = new Set(["send_message.priority", "reply_to_message.priority"]);

const jsonSchema = (s: z.ZodType) => {
  const { description: _description, ...rest } = z.toJSONSchema(z.object({ f: s }), { io: "input" }).properties!.f as Record<string, unknown>;
  return rest;
};

describe("MCP tool inputs", () => {
  test("every tool has an input shape and an output schema", () => {
    expect(Object.keys(toolInputShapes).sort()).toEqual([...MCP_TOOL_NAMES].sort());
    expect(Object.keys(toolOutputSchemas).sort()).toEqual([...MCP_TOOL_NAMES].sort());
  });

  for (const [tool, service] of Object.entries(serviceSchemaOf)) {
    test(`${tool}: every field is the service schema's, described`, () => {
      const shape = toolInputShapes[tool as keyof typeof toolInputShapes] as Record<string, z.ZodType>;
      for (const [field, schema] of Object.entries(shape)) {
        expect(schema.description, `${tool}.${field} has a description`).toMatch(/\w/);
        if (ownFields.has(`${tool}.${field}`)) continue;
        const own = service!.shape[field] as z.ZodType | undefined;
        expect(own, `${tool}.${field} is a field of the service schema`).toBeDefined();
        expect(jsonSchema(schema), `${tool}.${field}`).toEqual(jsonSchema(own!));
      }
    });
  }
});
