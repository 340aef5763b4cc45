"use client";
import { keepPreviousData, useMutation, useQuery, useQueryClient, type InfiniteData, type QueryClient, type QueryKey } from "@tanstack/react-query";
import { toast } from "sonner";
import type { MessageDto, Page } from "@/lib/services";
import { call, endpoints, type InboxEntry, type InboxPage, type MarkAction, type ShellCounts, type ThreadData } from "./endpoints";
import { useCursorList } from "./hooks";
import { keys } from "./keys";
import { PEOPLE_INBOX } from "./links";

export type { InboxEntry, MarkAction, ThreadData };

type ListPage = InboxPage;

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
    qc.setQueryData<ThreadData>(keys.thread(threadId), (t) => (t ? { ...t, messages: t.messages.map((m) => ({ ...m, ...byId.get(m.id) })) } : t));
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
      Promise.all(messages.map((m) => call(endpoints[action], { params: { messageId: m.id }, body: {} }))),
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

/** The inbox picker: every inbox with its unread count. Under keys.inboxes, so message events refresh it. */
export function useInboxes(initial: InboxEntry[]) {
  return useQuery({
    queryKey: keys.inboxes,
    queryFn: ({ signal }) => call(endpoints.inboxes, { signal }).then((r) => r.items),
    initialData: initial,
  });
}

export interface InboxListFilters {
  unread: boolean;
  archived: boolean;
  type: string | undefined;
}

/** One inbox's messages, newest first, cursor-paged: GET /inbox (the people's) or /inbox/{agent}. */
export function useInboxList(inbox: string, filters: InboxListFilters, initialPage?: Page<MessageDto>) {
  const query = { unread: filters.unread || undefined, archived: filters.archived || undefined, type: filters.type, limit: 50 };
  return useCursorList<MessageDto>({
    queryKey: keys.inboxList(inbox, filters),
    fetchPage: (cursor, signal) =>
      inbox === PEOPLE_INBOX ? call(endpoints.peopleInbox, { query: { ...query, cursor }, signal }) : call(endpoints.agentInbox, { params: { agentName: inbox }, query: { ...query, cursor }, signal }),
    initialPage,
  });
}

/** Search the messages of one inbox (or of every inbox, `inbox` undefined). */
export function useMessageSearch(term: string, inbox: string | undefined) {
  return useQuery({
    queryKey: keys.inboxSearch(term, inbox ?? null),
    queryFn: ({ signal }) => call(endpoints.search, { query: { q: term, inbox, limit: 50 }, signal }),
    enabled: term.length > 0,
    placeholderData: keepPreviousData,
    staleTime: 5_000,
  });
}

/** One thread: GET /threads/{id}; each message says where a reply to it lands (`replyTo`, from the server). */
export function useThread(threadId: string, initialData?: ThreadData) {
  return useQuery({
    queryKey: keys.thread(threadId),
    queryFn: ({ signal }) => call(endpoints.thread, { params: { threadId }, signal }),
    initialData,
  });
}

type ThreadMessage = ThreadData["messages"][number];

/**
 * Replies to a message of the thread, shown at once as a pending copy addressed where the server
 * said a reply lands (`target.replyTo`); rolled back (and the text given back) if the server refuses.
 */
export function useReply(threadId: string, me: string, onSent?: (sent: MessageDto) => void) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ target, body }: { target: ThreadMessage; body: string; restore: () => void }) => call(endpoints.reply, { params: { messageId: target.id }, body: { body } }),
    meta: { errorTitle: "Your reply was not sent" },
    onMutate: async ({ target, body }) => {
      await qc.cancelQueries({ queryKey: keys.thread(threadId) });
      const prev = qc.getQueryData<ThreadData>(keys.thread(threadId));
      const tempId = `pending-${Date.now()}`;
      const now = new Date().toISOString();
      const temp: ThreadMessage = {
        ...target,
        id: tempId,
        inReplyTo: target.id,
        from: { kind: "person", name: me },
        to: target.replyTo,
        type: target.replyType,
        subject: target.subject && !/^re:/i.test(target.subject) ? `Re: ${target.subject}` : target.subject,
        body,
        createdAt: now,
        readAt: null,
        answeredAt: null,
        archivedAt: null,
        sourcePath: null,
        pending: true,
      };
      qc.setQueryData<ThreadData>(keys.thread(threadId), (t) => (t ? { ...t, messages: [...t.messages, temp] } : t));
      return { prev, tempId };
    },
    onError: (_err, vars, ctx) => {
      if (ctx?.prev) qc.setQueryData(keys.thread(threadId), ctx.prev);
      vars.restore();
    },
    onSuccess: (sent, _vars, ctx) => {
      qc.setQueryData<ThreadData>(keys.thread(threadId), (t) => (t ? { ...t, messages: t.messages.map((m) => (m.id === ctx.tempId ? { ...m, ...sent, pending: undefined } : m)) } : t));
      onSent?.(sent);
    },
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: keys.thread(threadId) });
      void qc.invalidateQueries({ queryKey: keys.inboxes });
      void qc.invalidateQueries({ queryKey: keys.counts });
    },
  });
}

/** POST /messages: a new message from the signed-in person. */
export function useSendMessage(handlers: { onSuccess?: (m: MessageDto) => void; onError?: (err: unknown) => void } = {}) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { to: string; type: string; priority: string; subject?: string; body: string }) => call(endpoints.sendMessage, { body }),
    meta: { silent: true },
    onSuccess: (m) => {
      void qc.invalidateQueries({ queryKey: keys.inboxes });
      handlers.onSuccess?.(m);
    },
    onError: (err) => handlers.onError?.(err),
  });
}
