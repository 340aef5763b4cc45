"use client";
import * as React from "react";
import dynamic from "next/dynamic";
import { useCounts } from "@/lib/queries/hooks";
import { subscribeLiveEvents, type LiveListener } from "@/lib/queries/live";
import { badgedIconUrl, titleWithCount } from "@/lib/notifications/favicon";
import { relay, type Relay } from "@/lib/notifications/relay";
import { useNotificationPreference } from "./preference";

// What decides and says a system notification (lib/notifications/rules.ts, the REST look-ups) is
// loaded only for a person who opted in here, or when they switch them on: most people never do, and
// it was in the shell of every page.
const SystemNotifications = dynamic(() => import("./system-notifications").then((m) => m.SystemNotifications), { ssr: false });

/**
 * The people's inbox unread count in the tab title ("(3) Inbox · AgentDesk") and on the favicon, and
 * the system notifications the person opted in to (user menu). Mounted once in the signed-in shell.
 */
export function NotificationCenter({ user }: { user: { id: string; email: string } }) {
  const { data: counts } = useCounts();
  const unread = counts?.unread ?? 0;
  useTitleCount(unread);
  useFaviconBadge(unread);
  const { enabled } = useNotificationPreference(user.id);
  const events = useLiveRelay(enabled);
  return enabled ? <SystemNotifications user={user} relay={events} /> : null;
}

/** The live events for system-notifications.tsx: held from the moment notifications are on until its code is there. */
export type LiveRelay = Pick<Relay<Parameters<LiveListener>>, "take">;

function useLiveRelay(enabled: boolean) {
  const [events] = React.useState(() => relay<Parameters<LiveListener>>());
  React.useEffect(() => {
    if (!enabled) return;
    const unsubscribe = subscribeLiveEvents(events.push);
    return () => {
      unsubscribe();
      events.clear();
    };
  }, [enabled, events]);
  return events;
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
