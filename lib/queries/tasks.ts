"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import type { EventDto, Page, TaskDetail, TaskDto, TaskListItem } from "@/lib/services";
import { call, endpoints, type BoardColumnData, type TaskListQuery } from "./endpoints";
import { useCursorList } from "./hooks";
import { keys, type BoardFilters, type TaskListFilters } from "./keys";

export type { BoardColumnData };

/** The task page's data: GET /tasks/{id}, refetched when a live event touches the task. */
export function useTask(taskId: string, initialData?: TaskDetail) {
  return useQuery({
    queryKey: keys.task(taskId),
    queryFn: ({ signal }) => call(endpoints.task, { params: { taskId }, signal }),
    initialData,
    staleTime: 5_000,
    // The live stream refreshes the page; while an agent may be at work the task is also re-read
    // every 15 s, so a change the page missed (an intermittent case seen once in e2e/loop.spec.ts:
    // round 2's steps never shown although the runs panel saw the run end) still shows up.
    refetchInterval: (q) => (q.state.data && (q.state.data.status === "pending" || q.state.data.status === "in_progress" || q.state.data.status === "blocked") ? 15_000 : false),
  });
}

/** Events of one task, newest first: GET /tasks/{id}/events?limit=… */
export function useTaskEvents(taskId: string, initialData?: EventDto[], limit = 200) {
  return useQuery({
    queryKey: keys.events({ taskId }),
    queryFn: async ({ signal }) => {
      const r = await call(endpoints.taskEvents, { params: { taskId }, query: { limit }, signal });
      return Array.isArray(r) ? r : r.items;
    },
    initialData,
    staleTime: 5_000,
  });
}

/** A cursor-paged task list (GET /tasks with the filters), live through keys.tasks. */
export function useTaskList(filters: TaskListFilters, initialPage?: Page<TaskListItem>) {
  return useCursorList<TaskListItem>({
    queryKey: keys.taskList(filters),
    fetchPage: (cursor, signal) => fetchTaskPage({ ...filters, cursor, limit: 50 }, signal),
    initialPage,
  });
}

/** One page of GET /tasks (the board's per-column "Load more"). */
export function fetchTaskPage(query: TaskListQuery, signal?: AbortSignal) {
  return call(endpoints.tasks, { query, signal });
}

/** The tasks of one instruction (the new-task form's dependency picker). */
export function useInstructionTasks(instructionId: string) {
  return useQuery({
    queryKey: keys.dependencyChoices(instructionId),
    queryFn: ({ signal }) => fetchTaskPage({ instructionId, limit: 200 }, signal),
    enabled: !!instructionId,
  });
}

/** The board's columns: keys.board sits under keys.tasks, which every task, step and output event invalidates. */
export function useBoard(filters: BoardFilters, perColumn: number, initialColumns: BoardColumnData[]) {
  return useQuery({
    queryKey: keys.board(filters),
    queryFn: async ({ signal }) => (await call(endpoints.board, { query: { ...filters, perColumn }, signal })).columns,
    initialData: initialColumns,
    staleTime: 5_000,
  });
}

export interface MoveVars {
  task: { id: string; title: string; status: string };
  to: string;
  reason?: string;
}

/** POST /tasks/{id}/move; the board layers its optimistic column over this with the handlers. */
export function useMoveTask(handlers: { onMutate?: (v: MoveVars) => void; onSuccess?: (v: MoveVars) => void; onError?: (err: unknown, v: MoveVars) => void } = {}) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (v: MoveVars) => call(endpoints.moveTask, { params: { taskId: v.task.id }, body: v.reason ? { to: v.to, reason: v.reason } : { to: v.to } }),
    meta: { silent: true },
    onMutate: (v) => handlers.onMutate?.(v),
    onSuccess: (_d, v) => {
      handlers.onSuccess?.(v);
      void client.invalidateQueries({ queryKey: keys.tasks });
      void client.invalidateQueries({ queryKey: keys.task(v.task.id) });
    },
    onError: (err, v) => handlers.onError?.(err, v),
  });
}

/** POST /tasks: assigns a new task; the form shows field errors itself. */
export function useCreateTask(handlers: { onSuccess?: (task: TaskDto) => void; onError?: (err: unknown) => void } = {}) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: Record<string, unknown>) => call(endpoints.createTask, { body }),
    meta: { silent: true },
    onSuccess: (task) => {
      void client.invalidateQueries({ queryKey: keys.tasks });
      void client.invalidateQueries({ queryKey: keys.instruction(task.instructionId) });
      void client.invalidateQueries({ queryKey: keys.overview });
      void client.invalidateQueries({ queryKey: keys.agents });
      handlers.onSuccess?.(task);
    },
    onError: (err) => handlers.onError?.(err),
  });
}

type Action = { kind: "cancel"; reason?: string } | { kind: "unblock"; note?: string } | { kind: "reassign"; agent: string };

/** Cancel, unblock, reassign: POST /tasks/{id}/{cancel|unblock|reassign}. */
export function useTaskAction(taskId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (a: Action) => {
      const params = { taskId };
      if (a.kind === "cancel") return call(endpoints.cancelTask, { params, body: a.reason ? { reason: a.reason } : {} });
      if (a.kind === "unblock") return call(endpoints.unblockTask, { params, body: a.note ? { note: a.note } : {} });
      return call(endpoints.reassignTask, { params, body: { agent: a.agent } });
    },
    meta: { errorTitle: "The task did not change" },
    onSuccess: (t, a) => {
      const words = { cancel: "Task cancelled", unblock: "Task unblocked", reassign: `Reassigned to ${t.assignedAgent}` } as const;
      toast.success(words[a.kind]);
      void client.invalidateQueries({ queryKey: keys.task(taskId) });
      void client.invalidateQueries({ queryKey: keys.events({ taskId }) });
      void client.invalidateQueries({ queryKey: keys.tasks });
      void client.invalidateQueries({ queryKey: keys.agents });
    },
  });
}
