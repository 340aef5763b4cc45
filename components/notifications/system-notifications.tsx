"use client";
import * as React from "react";
import { useRouter } from "next/navigation";
import { call, endpoints } from "@/lib/queries/endpoints";
import type { LiveListener } from "@/lib/queries/live";
import { coveredByRecent, describe, mayNotify, pickPerTask, type Lookups, type NotificationSpec, type Recent } from "@/lib/notifications/rules";
import type { LiveRelay } from "./notification-center";
import { notificationSupport, optedIn } from "./preference";

// The system notifications: loaded by notification-center.tsx only for a person who opted in (or when
// they switch them on), not with the shell of every page.

const lookups: Lookups = {
  message: (messageId) => call(endpoints.message, { params: { messageId } }),
  task: (taskId) => call(endpoints.task, { params: { taskId } }),
  runs: (taskId) => call(endpoints.taskRuns, { params: { taskId } }),
};

/** Mounted by NotificationCenter while the person is opted in; `relay` holds the live events from then on. */
export function SystemNotifications({ user, relay }: { user: { id: string; email: string }; relay: LiveRelay }) {
  useSystemNotifications(user, relay);
  return null;
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
function useSystemNotifications({ id, email }: { id: string; email: string }, relay: LiveRelay) {
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
    const listener: LiveListener = (e, { relayed }) => {
      if (relayed || !mayNotify(e, { email })) return;
      queue = queue.then(() => handle(e));
    };
    const release = relay.take(listener);
    return () => {
      stopped = true;
      if (settle) clearTimeout(settle);
      release();
    };
  }, [router, id, email, relay]);
}
