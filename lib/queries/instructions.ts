"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { EventDto, InstructionDetail, InstructionDto, InstructionListItem, Page } from "@/lib/services";
import { call, endpoints } from "./endpoints";
import { useCursorList } from "./hooks";
import { keys } from "./keys";

/** The instructions list with its phase filter, cursor-paged, live through keys.instructions. */
export function useInstructionList(phase: string | undefined, initialPage?: Page<InstructionListItem>) {
  return useCursorList<InstructionListItem>({
    queryKey: keys.instructionList({ phase }),
    fetchPage: (cursor, signal) => call(endpoints.instructions, { query: { phase, cursor, limit: 50 }, signal }),
    initialPage,
  });
}

/** One instruction with its tasks and messages: GET /instructions/{id}, live through keys.instruction. */
export function useInstruction(instructionId: string, initialData?: InstructionDetail) {
  return useQuery({
    queryKey: keys.instruction(instructionId),
    queryFn: ({ signal }) => call(endpoints.instruction, { params: { instructionId }, signal }),
    initialData,
    staleTime: 5_000,
  });
}

/** The instruction's timeline, newest first: GET /events?instructionId=…, live through keys.allEvents. */
export function useInstructionEvents(instructionId: string, initialData?: EventDto[], limit = 100) {
  return useQuery({
    queryKey: keys.events({ instructionId }),
    queryFn: async ({ signal }) => (await call(endpoints.events, { query: { instructionId, limit }, signal })).items,
    initialData,
    staleTime: 5_000,
  });
}

/** POST /instructions; the form shows field errors itself. */
export function useCreateInstruction(handlers: { onSuccess?: (i: InstructionDto) => void; onError?: (err: unknown) => void } = {}) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { title: string; body: string; tier: number; priority: string }) => call(endpoints.createInstruction, { body: input }),
    meta: { silent: true },
    onSuccess: (inst) => {
      void client.invalidateQueries({ queryKey: keys.instructions });
      void client.invalidateQueries({ queryKey: keys.overview });
      handlers.onSuccess?.(inst);
    },
    onError: (err) => handlers.onError?.(err),
  });
}
