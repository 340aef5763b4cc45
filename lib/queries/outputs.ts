"use client";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient, type InfiniteData, type QueryClient, type QueryKey } from "@tanstack/react-query";
import type { OutputDetail, ReviewDto } from "@/lib/services";
import { call, endpoints, type ReviewQueuePage, type ShellCounts } from "./endpoints";
import { keys } from "./keys";

export type { ReviewQueuePage };

/** One output with its versions and reviews: GET /outputs/{id}. */
export function useOutput(outputId: string, initialData?: OutputDetail) {
  return useQuery({
    queryKey: keys.output(outputId),
    queryFn: ({ signal }) => call(endpoints.output, { params: { outputId }, signal }),
    initialData,
  });
}

/** The review queue of one status, cursor-paged, with the total of the first page. */
export function useReviewQueue(status: string, initialPage?: ReviewQueuePage) {
  return useInfiniteQuery({
    queryKey: keys.reviewQueue(status),
    queryFn: ({ pageParam, signal }) => call(endpoints.reviewQueue, { query: { status, cursor: pageParam ?? undefined }, signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    initialData: initialPage ? { pages: [initialPage], pageParams: [null] } : undefined,
  });
}

type Decision = "approved" | "changes_requested";

/** Shows a decision everywhere at once (the output, the awaiting queue, the badge); returns the rollback. */
function applyOptimistic(qc: QueryClient, outputId: string, me: string, decision: Decision, text: string) {
  const saved: [QueryKey, unknown][] = [
    [keys.output(outputId), qc.getQueryData(keys.output(outputId))],
    [keys.counts, qc.getQueryData(keys.counts)],
    ...qc.getQueriesData({ queryKey: keys.reviewQueues }),
  ];
  const now = new Date().toISOString();
  const review: ReviewDto = { id: `pending-${Date.now()}`, outputId, reviewer: me, decision, comment: text, messageId: null, createdAt: now };
  qc.setQueryData<OutputDetail>(keys.output(outputId), (d) =>
    d ? { ...d, output: { ...d.output, status: decision }, versions: d.versions.map((v) => (v.id === outputId ? { ...v, status: decision } : v)), reviews: [review, ...d.reviews] } : d,
  );
  for (const [key, data] of qc.getQueriesData<InfiniteData<ReviewQueuePage>>({ queryKey: keys.reviewQueues })) {
    if (!data?.pages || (key[2] as { status?: string } | undefined)?.status !== "pending_review") continue;
    qc.setQueryData<InfiniteData<ReviewQueuePage>>(key, {
      ...data,
      pages: data.pages.map((p) => (p.items.some((i) => i.id === outputId) ? { ...p, items: p.items.filter((i) => i.id !== outputId), total: Math.max(0, p.total - 1) } : p)),
    });
  }
  qc.setQueryData<ShellCounts>(keys.counts, (c) => (c ? { ...c, awaitingReview: Math.max(0, c.awaitingReview - 1) } : c));
  return () => saved.forEach(([k, v]) => qc.setQueryData(k, v));
}

export interface DecisionHandlers<R, V> {
  /** Runs before the request; its result (e.g. the next item of the queue) comes back to onSuccess. */
  onStart: (vars: V) => string | null;
  onSuccess: (res: R, vars: V, next: string | null) => void;
  onError: (err: unknown, vars: V) => void;
}

function useDecision<R, V>(outputId: string, taskId: string, me: string, decision: Decision, send: (vars: V) => Promise<R>, comment: (vars: V) => string, h: DecisionHandlers<R, V>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: send,
    meta: { silent: true },
    onMutate: async (vars: V) => {
      const next = h.onStart(vars);
      await qc.cancelQueries({ queryKey: keys.output(outputId) });
      return { next, rollback: applyOptimistic(qc, outputId, me, decision, comment(vars)) };
    },
    onError: (err, vars, ctx) => {
      ctx?.rollback();
      h.onError(err, vars);
    },
    onSuccess: (res, vars, ctx) => h.onSuccess(res, vars, ctx.next),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: keys.outputs });
      void qc.invalidateQueries({ queryKey: keys.output(outputId) });
      void qc.invalidateQueries({ queryKey: keys.counts });
      void qc.invalidateQueries({ queryKey: keys.task(taskId) });
      void qc.invalidateQueries({ queryKey: keys.tasks });
    },
  });
}

/** POST /outputs/{id}/approve, shown at once and rolled back if the server refuses. */
export function useApproveOutput(outputId: string, taskId: string, me: string, h: DecisionHandlers<{ task: { status: string } }, void>) {
  return useDecision(
    outputId,
    taskId,
    me,
    "approved",
    () => call(endpoints.approveOutput, { params: { outputId }, body: {} }),
    () => "",
    h,
  );
}

/** POST /outputs/{id}/request-changes with the comment, shown at once and rolled back if refused. */
export function useRequestChanges(outputId: string, taskId: string, me: string, h: DecisionHandlers<unknown, string>) {
  return useDecision(
    outputId,
    taskId,
    me,
    "changes_requested",
    (comment: string) => call(endpoints.requestChanges, { params: { outputId }, body: { comment } }),
    (c) => c,
    h,
  );
}
