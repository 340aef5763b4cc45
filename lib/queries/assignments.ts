"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { TaskDto } from "@/lib/services";
import { call, endpoints } from "./endpoints";
import { keys } from "./keys";

export interface Assignment {
  task: TaskDto;
  instructionId: string;
  instructionCreated: boolean;
}

/**
 * POST /assignments: assign in one move (a task from what is needed, in the chosen instruction or
 * a new one made from the same text). The form shows field errors itself.
 */
export function useAssignWork(handlers: { onSuccess?: (a: Assignment) => void; onError?: (err: unknown) => void } = {}) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: Record<string, unknown>) => call(endpoints.assignWork, { body }),
    meta: { silent: true },
    onSuccess: (a) => {
      void client.invalidateQueries({ queryKey: keys.tasks });
      void client.invalidateQueries({ queryKey: keys.instructions });
      void client.invalidateQueries({ queryKey: keys.instruction(a.instructionId) });
      void client.invalidateQueries({ queryKey: keys.overview });
      void client.invalidateQueries({ queryKey: keys.agents });
      handlers.onSuccess?.(a);
    },
    onError: (err) => handlers.onError?.(err),
  });
}

/** The instructions the quick assign form offers: the newest hundred (the palette's cache), open ones first in the form. */
export function useAssignInstructions() {
  return useQuery({
    queryKey: keys.paletteInstructions,
    queryFn: ({ signal }) => call(endpoints.instructions, { query: { limit: 100 }, signal }),
    staleTime: 30_000,
  });
}
