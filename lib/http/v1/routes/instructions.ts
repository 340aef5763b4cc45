import "server-only";
import { createRoute, z } from "@hono/zod-openapi";
import {
  ChangeInstructionPhaseInput,
  CreateInstructionInput,
  UpdateInstructionInput,
  changeInstructionPhase,
  createInstruction,
  getInstruction,
  listInstructions,
  updateInstruction,
} from "@/lib/services";
import { bodyFrom, jsonBody, jsonOk, readErrors, writeErrors, type V1App } from "../route-kit";
import { Instruction, InstructionDetail, InstructionIdParam, InstructionListItem, InstructionPhase, page, qCursor, qLimit } from "../schemas";

const tags = ["Instructions"];

const createRouteDef = createRoute({
  method: "post",
  path: "/instructions",
  operationId: "createInstruction",
  tags,
  summary: "Create an instruction (people)",
  description: "A request from a person: title, markdown body, complexity tier 0-4, priority. It starts in the routing phase.",
  request: { body: jsonBody(CreateInstructionInput) },
  responses: { 201: jsonOk(Instruction, "The new instruction"), ...writeErrors },
});

const listRoute = createRoute({
  method: "get",
  path: "/instructions",
  operationId: "listInstructions",
  tags,
  summary: "List instructions (people)",
  description: "Newest first, by cursor, with task counts.",
  request: { query: z.strictObject({ phase: InstructionPhase.optional(), cursor: qCursor, limit: qLimit }) },
  responses: { 200: jsonOk(page(InstructionListItem, "InstructionPage"), "A page of instructions"), ...readErrors },
});

const getRouteDef = createRoute({
  method: "get",
  path: "/instructions/{instructionId}",
  operationId: "getInstruction",
  tags,
  summary: "Get an instruction (people)",
  description: "With its tasks in dependency order, outputs and messages.",
  request: { params: InstructionIdParam },
  responses: { 200: jsonOk(InstructionDetail, "The instruction"), ...readErrors },
});

const patchRoute = createRoute({
  method: "patch",
  path: "/instructions/{instructionId}",
  operationId: "updateInstruction",
  tags,
  summary: "Edit an instruction (people)",
  description: "Send only the fields to change; expectedVersion guards against overwriting someone else's edit (409 version_conflict).",
  request: { params: InstructionIdParam, body: jsonBody(bodyFrom(UpdateInstructionInput.shape, ["id"])) },
  responses: { 200: jsonOk(Instruction, "The instruction"), ...writeErrors },
});

const phaseRoute = createRoute({
  method: "post",
  path: "/instructions/{instructionId}/phase",
  operationId: "changeInstructionPhase",
  tags,
  summary: "Move an instruction to another phase (people)",
  description: "routing → planning → executing → validating → completed, or blocked / correcting / failed. completed and failed are final.",
  request: { params: InstructionIdParam, body: jsonBody(bodyFrom(ChangeInstructionPhaseInput.shape, ["id"])) },
  responses: { 200: jsonOk(Instruction, "The instruction"), ...writeErrors },
});

export function registerInstructionRoutes(app: V1App) {
  app.openapi(createRouteDef, (c) => c.json(createInstruction(c.get("ctx"), c.req.valid("json")), 201));
  app.openapi(listRoute, (c) => c.json(listInstructions(c.get("ctx"), c.req.valid("query")), 200));
  app.openapi(getRouteDef, (c) => c.json(getInstruction(c.get("ctx"), c.req.valid("param").instructionId), 200));
  app.openapi(patchRoute, (c) => c.json(updateInstruction(c.get("ctx"), { ...c.req.valid("json"), id: c.req.valid("param").instructionId }), 200));
  app.openapi(phaseRoute, (c) => c.json(changeInstructionPhase(c.get("ctx"), { ...c.req.valid("json"), id: c.req.valid("param").instructionId }), 200));
}
