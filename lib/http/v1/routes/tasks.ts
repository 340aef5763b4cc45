import "server-only";
import { createRoute, z } from "@hono/zod-openapi";
import {
  BlockTaskInput,
  CancelTaskInput,
  ClaimTaskInput,
  CompleteTaskInput,
  CreateTaskInput,
  HeartbeatInput,
  MoveTaskInput,
  ReassignTaskInput,
  SubmitOutputInput,
  UnblockTaskInput,
  UpdateStepInput,
  RecordStepActivityInput,
  recordStepActivity,
  blockTask,
  cancelTask,
  claimTask,
  completeTask,
  createTask,
  getTask,
  heartbeatTask,
  listEvents,
  listTasks,
  moveTask,
  reassignTask,
  submitOutput,
  taskBoard,
  unblockTask,
  updateStep,
} from "@/lib/services";
import { assertTaskReadable } from "@/lib/services/tasks/assert-task-readable";
import { bodyFrom, jsonBody, jsonOk, optionalJsonBody, readErrors, writeErrors, type V1App } from "../route-kit";
import { Event, Heartbeat, Output, Priority, StepParam, StepUpdate, Task, TaskDetail, TaskIdParam, TaskListItem, TaskStatus, page, qCursor, qInt, qLimit } from "../schemas";

const tags = ["Tasks"];

const listTasksRoute = createRoute({
  method: "get",
  path: "/tasks",
  operationId: "listTasks",
  tags,
  summary: "List tasks",
  description: "Most recently changed first, by cursor. An agent sees only the tasks assigned to it.",
  request: {
    query: z.strictObject({
      status: TaskStatus.optional(),
      agent: z.string().max(64).optional(),
      instructionId: z.string().max(64).optional(),
      priority: Priority.optional(),
      cursor: qCursor,
      limit: qLimit,
    }),
  },
  responses: { 200: jsonOk(page(TaskListItem, "TaskPage"), "A page of tasks"), ...readErrors },
});

const boardRoute = createRoute({
  method: "get",
  path: "/tasks/board",
  operationId: "taskBoard",
  tags,
  summary: "Task board",
  description: "One counted page per status column (pending, in_progress, blocked, in_review, completed).",
  request: {
    query: z.strictObject({ agent: z.string().max(64).optional(), instructionId: z.string().max(64).optional(), priority: Priority.optional(), perColumn: qLimit }),
  },
  responses: {
    200: jsonOk(
      z.object({ columns: z.array(z.object({ status: TaskStatus, count: z.number().int(), items: z.array(TaskListItem), nextCursor: z.string().nullable() })) }).openapi("TaskBoard"),
      "The board",
    ),
    ...readErrors,
  },
});

const getTaskRoute = createRoute({
  method: "get",
  path: "/tasks/{taskId}",
  operationId: "getTask",
  tags,
  summary: "Get a task",
  description: "The task with its steps, dependencies, instruction, outputs (without content), messages and reviews.",
  request: { params: TaskIdParam },
  responses: { 200: jsonOk(TaskDetail, "The task"), ...readErrors },
});

const createTaskRoute = createRoute({
  method: "post",
  path: "/tasks",
  operationId: "createTask",
  tags,
  summary: "Create a task (people)",
  description: "Creates a task in an instruction and copies the assigned agent's Response Approach onto it as steps.",
  request: { body: jsonBody(CreateTaskInput) },
  responses: { 201: jsonOk(Task, "The new task"), ...writeErrors },
});

const claimRoute = createRoute({
  method: "post",
  path: "/tasks/claim",
  operationId: "claimTask",
  tags: ["Agent work"],
  summary: "Claim the next task (agents)",
  description:
    "Takes the agent's highest-priority pending task whose dependencies are completed (or the given taskId) and starts a lease. 204 when nothing is ready. Two agents can never claim the same task.",
  request: { body: optionalJsonBody(bodyFrom(ClaimTaskInput.shape)) },
  responses: { 200: jsonOk(Task, "The claimed task, now in_progress, with its lease"), 204: { description: "No task is ready" }, ...writeErrors },
});

const heartbeatRoute = createRoute({
  method: "post",
  path: "/tasks/{taskId}/heartbeat",
  operationId: "heartbeatTask",
  tags: ["Agent work"],
  summary: "Extend the lease (agents)",
  description: "Every write on the task also counts as a heartbeat; call this during long silent work.",
  request: { params: TaskIdParam, body: optionalJsonBody(bodyFrom(HeartbeatInput.shape, ["taskId"])) },
  responses: { 200: jsonOk(Heartbeat, "The new lease"), ...writeErrors },
});

const stepRoute = createRoute({
  method: "post",
  path: "/tasks/{taskId}/steps/{position}",
  operationId: "updateStep",
  tags: ["Agent work"],
  summary: "Report a step (agents)",
  description:
    "Moves a step of the agent's Response Approach: pending → in_progress → done, or skipped / blocked with a note. done and skipped are final (409 illegal_transition). Blocking a step blocks the task.",
  request: { params: StepParam, body: jsonBody(bodyFrom(UpdateStepInput.shape, ["taskId", "position"])) },
  responses: { 200: jsonOk(StepUpdate, "The step, the task and its progress"), ...writeErrors },
});

const stepActivityRoute = createRoute({
  method: "post",
  path: "/tasks/{taskId}/steps/{position}/activity",
  operationId: "recordStepActivity",
  tags: ["Agent work"],
  summary: "Report tool activity on a step in progress (agents)",
  description:
    "A line of what the agent's tools did (the Claude Code hook that `agentdesk connect` installs sends one per tool call, rate-limited): shown under the step, a heartbeat, no status change. 409 illegal_transition unless the task and the step are in progress.",
  request: { params: StepParam, body: jsonBody(bodyFrom(RecordStepActivityInput.shape, ["taskId", "position"])) },
  responses: {
    201: jsonOk(z.object({ taskId: z.string(), position: z.number().int(), tool: z.string(), summary: z.string().nullable(), at: z.string() }).openapi("StepActivity"), "The activity as recorded"),
    ...writeErrors,
  },
});

const outputRoute = createRoute({
  method: "post",
  path: "/tasks/{taskId}/outputs",
  operationId: "submitOutput",
  tags: ["Agent work"],
  summary: "Submit an output version (agents)",
  description: "Hands in a new version of the task's output for review; a version still waiting for review is superseded.",
  request: { params: TaskIdParam, body: jsonBody(bodyFrom(SubmitOutputInput.shape, ["taskId"])) },
  responses: { 201: jsonOk(Output, "The new output version"), ...writeErrors },
});

const completeRoute = createRoute({
  method: "post",
  path: "/tasks/{taskId}/complete",
  operationId: "completeTask",
  tags: ["Agent work"],
  summary: "Complete a task (agents)",
  description: "Every step must be done or skipped. A task that needs review goes to in_review (and needs an output); an autonomous one is completed.",
  request: { params: TaskIdParam, body: optionalJsonBody(bodyFrom(CompleteTaskInput.shape, ["taskId"])) },
  responses: { 200: jsonOk(Task, "The task"), ...writeErrors },
});

const blockRoute = createRoute({
  method: "post",
  path: "/tasks/{taskId}/block",
  operationId: "blockTask",
  tags: ["Agent work"],
  summary: "Block a task",
  request: { params: TaskIdParam, body: jsonBody(bodyFrom(BlockTaskInput.shape, ["taskId"])) },
  responses: { 200: jsonOk(Task, "The blocked task"), ...writeErrors },
});

const unblockRoute = createRoute({
  method: "post",
  path: "/tasks/{taskId}/unblock",
  operationId: "unblockTask",
  tags: ["Agent work"],
  summary: "Unblock a task",
  description: "Back to in_progress; a blocked step resumes with it.",
  request: { params: TaskIdParam, body: optionalJsonBody(bodyFrom(UnblockTaskInput.shape, ["taskId"])) },
  responses: { 200: jsonOk(Task, "The task"), ...writeErrors },
});

const cancelRoute = createRoute({
  method: "post",
  path: "/tasks/{taskId}/cancel",
  operationId: "cancelTask",
  tags,
  summary: "Cancel a task (people)",
  request: { params: TaskIdParam, body: optionalJsonBody(bodyFrom(CancelTaskInput.shape, ["taskId"])) },
  responses: { 200: jsonOk(Task, "The cancelled task"), ...writeErrors },
});

const reassignRoute = createRoute({
  method: "post",
  path: "/tasks/{taskId}/reassign",
  operationId: "reassignTask",
  tags,
  summary: "Reassign a task (people)",
  request: { params: TaskIdParam, body: jsonBody(bodyFrom(ReassignTaskInput.shape, ["taskId"])) },
  responses: { 200: jsonOk(Task, "The task"), ...writeErrors },
});

const moveRoute = createRoute({
  method: "post",
  path: "/tasks/{taskId}/move",
  operationId: "moveTask",
  tags,
  summary: "Move a card on the board (people)",
  description: "Only moves a person may make are carried out; anything else is a 409 that says why.",
  request: { params: TaskIdParam, body: jsonBody(bodyFrom(MoveTaskInput.shape, ["taskId"])) },
  responses: { 200: jsonOk(Task, "The task"), ...writeErrors },
});

const EventPage = z.object({ items: z.array(Event), nextBeforeId: z.number().int().nullable() }).openapi("EventPage");

const taskEventsRoute = createRoute({
  method: "get",
  path: "/tasks/{taskId}/events",
  operationId: "listTaskEvents",
  tags,
  summary: "A task's timeline",
  description: "Its events, newest first; page with ?beforeId=nextBeforeId.",
  request: { params: TaskIdParam, query: z.strictObject({ beforeId: qInt, limit: qLimit }) },
  responses: { 200: jsonOk(EventPage, "Events"), ...readErrors },
});

export function registerTaskRoutes(app: V1App) {
  app.openapi(listTasksRoute, (c) => c.json(listTasks(c.get("ctx"), c.req.valid("query")), 200));
  app.openapi(boardRoute, (c) => {
    const { perColumn, ...q } = c.req.valid("query");
    return c.json({ columns: taskBoard(c.get("ctx"), { ...q, perColumn }) }, 200);
  });
  // Static paths before /tasks/{taskId}: the first matching handler answers.
  app.openapi(claimRoute, (c) => {
    const task = claimTask(c.get("ctx"), c.req.valid("json"));
    if (!task) return c.body(null, 204);
    return c.json(task, 200);
  });
  app.openapi(createTaskRoute, (c) => c.json(createTask(c.get("ctx"), c.req.valid("json")), 201));
  app.openapi(getTaskRoute, (c) => c.json(getTask(c.get("ctx"), c.req.valid("param").taskId), 200));
  app.openapi(heartbeatRoute, (c) => c.json(heartbeatTask(c.get("ctx"), { ...c.req.valid("json"), taskId: c.req.valid("param").taskId }), 200));
  app.openapi(stepActivityRoute, (c) => {
    const { taskId, position } = c.req.valid("param");
    return c.json(recordStepActivity(c.get("ctx"), { ...c.req.valid("json"), taskId, position }), 201);
  });
  app.openapi(stepRoute, (c) => {
    const { taskId, position } = c.req.valid("param");
    return c.json(updateStep(c.get("ctx"), { ...c.req.valid("json"), taskId, position }), 200);
  });
  app.openapi(outputRoute, (c) => c.json(submitOutput(c.get("ctx"), { ...c.req.valid("json"), taskId: c.req.valid("param").taskId }), 201));
  app.openapi(completeRoute, (c) => c.json(completeTask(c.get("ctx"), { ...c.req.valid("json"), taskId: c.req.valid("param").taskId }), 200));
  app.openapi(blockRoute, (c) => c.json(blockTask(c.get("ctx"), { ...c.req.valid("json"), taskId: c.req.valid("param").taskId }), 200));
  app.openapi(unblockRoute, (c) => c.json(unblockTask(c.get("ctx"), { ...c.req.valid("json"), taskId: c.req.valid("param").taskId }), 200));
  app.openapi(cancelRoute, (c) => c.json(cancelTask(c.get("ctx"), { ...c.req.valid("json"), taskId: c.req.valid("param").taskId }), 200));
  app.openapi(reassignRoute, (c) => c.json(reassignTask(c.get("ctx"), { ...c.req.valid("json"), taskId: c.req.valid("param").taskId }), 200));
  app.openapi(moveRoute, (c) => c.json(moveTask(c.get("ctx"), { ...c.req.valid("json"), taskId: c.req.valid("param").taskId }), 200));
  app.openapi(taskEventsRoute, (c) => {
    const ctx = c.get("ctx");
    const { taskId } = c.req.valid("param");
    const q = c.req.valid("query");
    assertTaskReadable(ctx, taskId);
    const limit = q.limit ?? 50;
    const items = listEvents(ctx, { taskId, beforeId: q.beforeId, limit });
    return c.json({ items, nextBeforeId: items.length === limit ? items[items.length - 1].id : null }, 200);
  });
}
