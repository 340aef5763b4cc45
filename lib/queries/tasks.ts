"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import type { EventDto, TaskDetail, TaskDto } from "@/lib/services";
import { api } from "./api";
import { keys } from "./keys";

/** The task page's data: GET /api/v1/tasks/{id}, refetched when a live event touches the task. */
export function useTask(taskId: string, initialData?: TaskDetail) {
  return useQuery({
    queryKey: keys.task(taskId),
    queryFn: ({ signal }) => api.get<TaskDetail>(`/api/v1/tasks/${encodeURIComponent(taskId)}`, undefined, signal),
    initialData,
    staleTime: 5_000,
  });
}

/** Events of one task, newest first: GET /api/v1/tasks/{id}/events?limit=… */
export function useTaskEvents(taskId: string, initialData?: EventDto[], limit = 200) {
  return useQuery({
    queryKey: keys.events({ taskId }),
    queryFn: async ({ signal }) => {
      const r = await api.get<EventDto[] | { items: EventDto[] }>(`/api/v1/tasks/${encodeURIComponent(taskId)}/events`, { limit }, signal);
      return Array.isArray(r) ? r : r.items;
    },
    initialData,
    staleTime: 5_000,
  });
}

type Action = { kind: "cancel"; reason?: string } | { kind: "unblock"; note?: string } | { kind: "reassign"; agent: string };

/** Cancel, unblock, reassign: POST /api/v1/tasks/{id}/{cancel|unblock|reassign}. */
export function useTaskAction(taskId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (a: Action) => {
      const base = `/api/v1/tasks/${encodeURIComponent(taskId)}`;
      if (a.kind === "cancel") return api.post<TaskDto>(`${base}/cancel`, a.reason ? { reason: a.reason } : {});
      if (a.kind === "unblock") return api.post<TaskDto>(`${base}/unblock`, a.note ? { note: a.note } : {});
      return api.post<TaskDto>(`${base}/reassign`, { agent: a.agent });
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
