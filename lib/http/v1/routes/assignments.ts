import "server-only";
import { createRoute, z } from "@hono/zod-openapi";
import { AssignInput, assignWork } from "@/lib/services";
import { jsonBody, jsonOk, writeErrors, type V1App } from "../route-kit";
import { Task } from "../schemas";

const Assignment = z
  .object({
    task: Task,
    instructionId: z.string(),
    instructionCreated: z.boolean().openapi({ description: "true when no instruction was given and a new one was made from the text" }),
  })
  .openapi("Assignment");

const assignRoute = createRoute({
  method: "post",
  path: "/assignments",
  operationId: "assignWork",
  tags: ["Tasks"],
  summary: "Assign in one move (people)",
  description:
    "A task for an agent from what is needed (`text`: its first line is the title, the rest the description), in `instructionId` or, when none is given, in a new instruction made from the same text. " +
    "One transaction: the same checks as creating an instruction and a task (viewers refused; an agent whose Memory Ownership does not let it work on the instruction's tasks is a 422 on `assignedAgent`), and nothing is written when any of them refuses.",
  request: { body: jsonBody(AssignInput) },
  responses: { 201: jsonOk(Assignment, "The new task, and its instruction"), ...writeErrors },
});

export function registerAssignmentRoutes(app: V1App) {
  app.openapi(assignRoute, (c) => c.json(assignWork(c.get("ctx"), c.req.valid("json")), 201));
}
