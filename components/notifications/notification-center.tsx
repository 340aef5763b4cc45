"use client";
import * as React from "react";
import { useRouter } from "next/navigation";
import { call, endpoints } from "@/lib/queries/endpoints";
import { useCounts } from "@/lib/queries/hooks";
import { subscribeLiveEvents } from "@/lib/queries/live";
import { badgedIconUrl, titleWithCount } from "@/lib/notifications/favicon";
import { coveredByRecent, describe, mayNotify, pickPerTask, type Lookups, type NotificationSpec, type Recent } from "@/lib/notifications/rules";
import { notificationSupport, optedIn } from "./preference";

const lookups: Lookups = {
  message: (messageId) => call(endpoints.message, { params: { messageId } }),
  task: (taskId) => call(endpoints.task, { params: { taskId } }),
  runs: (taskId) => call(endpoints.taskRuns, { params: { taskId } }),
};

/**
 * The people's inbox unread count in the tab title ("(3) Inbox · AgentDesk") and on the favicon, and
 * the system notifications the person opted in to (user menu). Mounted once in the signed-in shell.
 */
export function NotificationCenter({ user }: { user: { id: string; email: string } }) {
  const { data: counts } = useCounts();
  const unread = counts?.unread ?? 0;
  useTitleCount(unread);
  useFaviconBadge(unread);
  useSystemNotifications(user);
  return null;
}

/** Keeps the count at the front of the title, whatever title the page sets (Next writes it on navigation). */
function useTitleCount(count: number) {
  React.useEffect(() => {
    const apply = () => {
      const want = titleWithCount(document.title, count);
      if (document.title !== want) document.title = want;
    };
    apply();
    const observer = new MutationObserver(apply);
    observer.observe(document.head, { subtree: true, childList: true, characterData: true });
    return () => {
      observer.disconnect();
      document.title = titleWithCount(document.title, 0);
    };
  }, [count]);
}

/** Draws the badge over app/icon.svg on every icon link of the page (the plain icon back at zero). */
function useFaviconBadge(count: number) {
  React.useEffect(() => {
    let links = [...document.querySelectorAll<HTMLLinkElement>('link[rel~="icon"]')];
    if (links.length === 0) {
      const link = document.createElement("link");
      link.rel = "icon";
      link.type = "image/svg+xml";
      link.dataset.plainHref = "/icon.svg";
      document.head.appendChild(link);
      links = [link];
    }
    for (const link of links) {
      link.dataset.plainHref ??= link.getAttribute("href") ?? "/icon.svg";
      link.href = count > 0 ? badgedIconUrl(count) : link.dataset.plainHref;
      link.dataset.badge = String(count);
    }
  }, [count]);
}

/**
 * One notification per event per browser: only the tab that holds the live stream (the leader,
 * lib/queries/live.ts) notifies; the tabs that receive it relayed do not. When the leader's tab
 * closes, the next tab takes the stream and notifies from then on (an event in the hand-over is not
 * replayed: the title and favicon count, refetched then, still show the unread messages). Without
 * the APIs to share a stream each tab holds its own; the notification's tag then makes the OS show one.
 * Events are described in order, one at a time, and shown a moment after a burst ends, so that the
 * several events of one mishap (a failed run: the block, the escalation, the run's end) become one
 * notification (rules.ts pickPerTask, coveredByRecent).
 */
function useSystemNotifications({ id, email }: { id: string; email: string }) {
  const router = useRouter();
  const recent = React.useRef<Recent>(new Map());
  React.useEffect(() => {
    let queue = Promise.resolve();
    let stopped = false;
    let burst: NotificationSpec[] = [];
    let settle: ReturnType<typeof setTimeout> | null = null;
    const show = (spec: NotificationSpec) => {
      const n = new window.Notification(spec.title, { body: spec.body, tag: spec.tag, icon: "/icon.svg", lang: "en" });
      n.onclick = (ev) => {
        ev.preventDefault();
        window.focus();
        router.push(spec.href);
        n.close();
      };
    };
    const handle = async (e: Parameters<typeof mayNotify>[0]) => {
      if (stopped || !optedIn(id) || notificationSupport() !== "granted") return;
      const spec = await describe(e, lookups).catch(() => null);
      if (!spec || stopped) return;
      burst.push(spec);
      if (settle) clearTimeout(settle);
      settle = setTimeout(flush, 400);
    };
    const flush = () => {
      const specs = pickPerTask(burst);
      burst = [];
      const now = Date.now();
      for (const spec of specs) {
        if (coveredByRecent(spec, recent.current, now)) continue;
        if (spec.taskId && spec.kind !== "review") recent.current.set(spec.taskId, { at: now, kind: spec.kind });
        if (recent.current.size > 200) recent.current.delete(recent.current.keys().next().value!);
        show(spec);
      }
    };
    const unsubscribe = subscribeLiveEvents((e, { relayed }) => {
      if (relayed || !mayNotify(e, { email })) return;
      queue = queue.then(() => handle(e));
    });
    return () => {
      stopped = true;
      if (settle) clearTimeout(settle);
      unsubscribe();
    };
  }, [router, id, email]);
}
