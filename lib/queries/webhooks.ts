"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { WebhookDeliveryDto, WebhookDto } from "@/lib/services";
import { call, endpoints } from "./endpoints";
import { keys } from "./keys";

export type { WebhookDeliveryDto, WebhookDto };

/*
 * Settings → Webhooks (admins only, docs/webhooks.md): the same verbs as /api/v1/webhooks. Each
 * mutation refetches the list; the delivery log refetches while something is waiting to be sent.
 * Mutations are `silent`: the dialogs show the server's refusal in place.
 */

export type WebhookFormat = WebhookDto["format"];
export interface WebhookBody {
  url: string;
  description?: string;
  events: string[];
  format?: WebhookFormat;
  active?: boolean;
}
export type NewWebhookDto = WebhookDto & { secret: string };
export interface WebhookList {
  items: WebhookDto[];
  eventGroups: { key: string; label: string }[];
}
export interface WebhookTestQueued {
  deliveryId: string;
  webhookId: string;
  status: "pending";
  createdAt: string;
}

/** GET /webhooks: every webhook (never a secret), and the event groups one may subscribe to. */
export function useWebhooks() {
  return useQuery({
    queryKey: keys.webhooks,
    queryFn: ({ signal }) => call(endpoints.webhooks, { signal }),
    staleTime: 5_000,
    // Pending deliveries go out in the background: their count and the last answer move on their own.
    refetchInterval: (q) => (q.state.data?.items.some((w) => w.pending > 0) ? 3_000 : false),
  });
}

/** GET /webhooks/{id}/deliveries: the newest deliveries, each with its attempts. */
export function useWebhookDeliveries(webhookId: string, opts: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: keys.webhookDeliveries(webhookId),
    queryFn: async ({ signal }) => (await call(endpoints.webhookDeliveries, { params: { webhookId }, query: { limit: 50 }, signal })).items,
    enabled: opts.enabled ?? true,
    refetchInterval: (q) => (q.state.data?.some((d) => d.status === "pending") ? 2_000 : false),
  });
}

const refetchAll = (qc: ReturnType<typeof useQueryClient>) => qc.invalidateQueries({ queryKey: keys.webhooks });

/** POST /webhooks: the answer carries the signing secret this once; the caller shows it and forgets it. */
export function useCreateWebhook() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: WebhookBody): Promise<NewWebhookDto> => call(endpoints.createWebhook, { body }),
    meta: { silent: true },
    onSuccess: () => refetchAll(qc),
  });
}

/** PATCH /webhooks/{id}: URL, description, events, format; `active` pauses or resumes. */
export function useUpdateWebhook() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { webhookId: string } & Partial<WebhookBody>) => {
      const { webhookId, ...body } = v;
      return call(endpoints.updateWebhook, { params: { webhookId }, body });
    },
    meta: { silent: true },
    onSuccess: () => refetchAll(qc),
  });
}

export function useDeleteWebhook() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (webhookId: string) => call(endpoints.deleteWebhook, { params: { webhookId } }),
    meta: { silent: true },
    onSuccess: () => refetchAll(qc),
  });
}

/** POST /webhooks/{id}/rotate-secret: the new secret, this once. */
export function useRotateWebhookSecret() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (webhookId: string): Promise<NewWebhookDto> => call(endpoints.rotateWebhookSecret, { params: { webhookId }, body: {} }),
    meta: { silent: true },
    onSuccess: () => refetchAll(qc),
  });
}

/** POST /webhooks/{id}/test: queued; it shows in the log once the worker has sent it. */
export function useSendTestWebhook() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (webhookId: string): Promise<WebhookTestQueued> => call(endpoints.testWebhook, { params: { webhookId }, body: {} }),
    meta: { silent: true },
    onSuccess: (_r, webhookId) => Promise.all([refetchAll(qc), qc.invalidateQueries({ queryKey: keys.webhookDeliveries(webhookId) })]),
  });
}
