"use client";
import { useMutation, useQueryClient, type InfiniteData, type QueryClient, type QueryKey } from "@tanstack/react-query";
import { toast } from "sonner";
import type { MessageDto } from "@/lib/services";
import { api } from "@/lib/queries/api";
import { keys } from "@/lib/queries/keys";
import type { ShellCounts } from "@/lib/queries/hooks";
import { PEOPLE_INBOX } from "@/lib/queries/links";

export type MarkAction = "read" | "unread" | "archive" | "unarchive";

export interface ThreadData {
  threadId: string;
  subject: string;
  messages: (MessageDto & { pending?: boolean })[];
}

export interface InboxEntry {
  inbox: string;
  unread: number;
}

type ListPage = { items: MessageDto[]; nextCursor: string | null; unreadCount?: number };

const counted = (m: Pick<MessageDto, "readAt" | "archivedAt">) => m.readAt == null && m.archivedAt == null;

function apply(m: MessageDto, action: MarkAction, at: string): MessageDto {
  switch (action) {
    case "read":
      return m.readAt ? m : { ...m, readAt: at };
    case "unread":
      return { ...m, readAt: null };
    case "archive":
      return m.archivedAt ? m : { ...m, archivedAt: at };
    case "unarchive":
      return { ...m, archivedAt: null };
  }
}

/** Every inbox query (picker and lists, `["inbox", …]`), the thread and the sidebar counts, for rollback. */
function snapshot(qc: QueryClient, threadIds: string[]) {
  const saved: [QueryKey, unknown][] = [...qc.getQueriesData({ queryKey: keys.inboxes }), [keys.counts, qc.getQueryData(keys.counts)]];
  for (const t of threadIds) saved.push([keys.thread(t), qc.getQueryData(keys.thread(t))]);
  return () => saved.forEach(([k, v]) => qc.setQueryData(k, v));
}

/**
 * Applies a change to the cached copies of some messages: the open thread, every loaded page of the
 * inbox lists (archived ones leave the list they no longer belong to), the picker's unread count and
 * the sidebar badge. The server's answer (and the live event) then refetch the truth.
 */
export function patchCaches(qc: QueryClient, changed: MessageDto[], byId: Map<string, MessageDto>) {
  const threadIds = new Set(changed.map((m) => m.threadId));
  for (const threadId of threadIds) {
    qc.setQueryData<ThreadData>(keys.thread(threadId), (t) => (t ? { ...t, messages: t.messages.map((m) => byId.get(m.id) ?? m) } : t));
  }
  const delta = new Map<string, number>();
  for (const m of changed) {
    const after = byId.get(m.id)!;
    const d = (counted(after) ? 1 : 0) - (counted(m) ? 1 : 0);
    if (d) delta.set(m.to, (delta.get(m.to) ?? 0) + d);
  }
  for (const inbox of new Set(changed.map((m) => m.to))) {
    for (const [key, data] of qc.getQueriesData<InfiniteData<ListPage>>({ queryKey: keys.inbox(inbox) })) {
      if (!data?.pages) continue;
      const filters = (key[3] ?? {}) as { archived?: boolean; unread?: boolean };
      qc.setQueryData<InfiniteData<ListPage>>(key, {
        ...data,
        pages: data.pages.map((p) => ({
          ...p,
          items: p.items.flatMap((m) => {
            const n = byId.get(m.id);
            if (!n) return [m];
            // Leaving this list: archived out of the inbox, unarchived out of the archive.
            if (!!n.archivedAt !== !!filters.archived) return [];
            return [n];
          }),
          unreadCount: p.unreadCount === undefined ? undefined : Math.max(0, p.unreadCount + (delta.get(inbox) ?? 0)),
        })),
      });
    }
  }
  if (delta.size) {
    qc.setQueryData<InboxEntry[]>(keys.inboxes, (list) => list?.map((e) => (delta.has(e.inbox) ? { ...e, unread: Math.max(0, e.unread + delta.get(e.inbox)!) } : e)));
    const d = delta.get(PEOPLE_INBOX);
    if (d) qc.setQueryData<ShellCounts>(keys.counts, (c) => (c ? { ...c, unread: Math.max(0, c.unread + d) } : c));
  }
}

/** Read / unread / archive / unarchive some messages, optimistically, rolled back with a toast on refusal. */
export function useMarkMessages() {
  const qc = useQueryClient();
  const mutation = useMutation({
    mutationFn: async ({ messages, action }: { messages: MessageDto[]; action: MarkAction; notify?: string }) =>
      Promise.all(messages.map((m) => api.post<MessageDto>(`/api/v1/messages/${encodeURIComponent(m.id)}/${action}`))),
    meta: { errorTitle: "Could not update the message" },
    onMutate: async ({ messages, action }) => {
      const threadIds = [...new Set(messages.map((m) => m.threadId))];
      await qc.cancelQueries({ queryKey: keys.inboxes });
      await Promise.all(threadIds.map((t) => qc.cancelQueries({ queryKey: keys.thread(t) })));
      const rollback = snapshot(qc, threadIds);
      const at = new Date().toISOString();
      patchCaches(qc, messages, new Map(messages.map((m) => [m.id, apply(m, action, at)])));
      return { rollback };
    },
    onError: (_err, _vars, ctx) => ctx?.rollback(),
    // Here rather than in mutate()'s callbacks: archiving navigates away, and these still run
    // after the thread view has unmounted.
    onSuccess: (updated, { action, notify }) => {
      if (!notify) return;
      const undo = action === "archive" ? "unarchive" : action === "unarchive" ? "archive" : null;
      // Long enough to find the Undo button.
      toast.success(notify, undo ? { duration: 10_000, action: { label: "Undo", onClick: () => mutation.mutate({ messages: updated, action: undo }) } } : undefined);
    },
    onSettled: (_data, _err, { messages }) => {
      void qc.invalidateQueries({ queryKey: keys.inboxes });
      void qc.invalidateQueries({ queryKey: keys.counts });
      for (const t of new Set(messages.map((m) => m.threadId))) void qc.invalidateQueries({ queryKey: keys.thread(t) });
    },
  });
  return mutation;
}
