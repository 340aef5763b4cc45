"use client";
import * as React from "react";

/*
 * The opt-in is kept in this browser's localStorage under the person's id. Why not on the server
 * with the person: a system notification needs this browser's permission anyway (granted per site
 * and per browser), so "on" means "on here": a person who opted in at work is not notified on a
 * shared laptop they once signed in to; and the people table has no column for it (a migration for
 * one flag that only a browser reads). Keyed by id, two people who share a browser keep their own choice.
 */
const storageKey = (userId: string) => `agentdesk.notifications.${userId}`;
const CHANGED = "agentdesk:notifications-changed";

export type NotificationSupport = "unsupported" | "default" | "granted" | "denied";

export const notificationSupport = (): NotificationSupport => (typeof window === "undefined" || typeof window.Notification === "undefined" ? "unsupported" : window.Notification.permission);

/** Opted in (whatever the permission says now). */
export function optedIn(userId: string): boolean {
  try {
    return window.localStorage.getItem(storageKey(userId)) === "on";
  } catch {
    return false;
  }
}

function setOptIn(userId: string, on: boolean) {
  try {
    if (on) window.localStorage.setItem(storageKey(userId), "on");
    else window.localStorage.removeItem(storageKey(userId));
  } catch {
    // storage refused (private mode): the choice lasts for this page only
  }
  window.dispatchEvent(new Event(CHANGED));
}

function subscribe(l: () => void) {
  // Other tabs (storage) and this one (CHANGED); a permission changed in the browser's settings shows on focus.
  window.addEventListener("storage", l);
  window.addEventListener(CHANGED, l);
  window.addEventListener("focus", l);
  return () => {
    window.removeEventListener("storage", l);
    window.removeEventListener(CHANGED, l);
    window.removeEventListener("focus", l);
  };
}

/** The person's choice and the browser's permission, live; `enable` asks for the permission when it has not been given. */
export function useNotificationPreference(userId: string) {
  const snapshot = React.useSyncExternalStore(
    subscribe,
    () => `${notificationSupport()}|${optedIn(userId) ? "on" : "off"}`,
    () => "unsupported|off",
  );
  const [support, choice] = snapshot.split("|") as [NotificationSupport, "on" | "off"];
  const enable = React.useCallback(async (): Promise<NotificationSupport> => {
    let permission = notificationSupport();
    if (permission === "default") permission = await window.Notification.requestPermission();
    if (permission === "granted") setOptIn(userId, true);
    else window.dispatchEvent(new Event(CHANGED));
    return permission;
  }, [userId]);
  const disable = React.useCallback(() => setOptIn(userId, false), [userId]);
  return { support, enabled: choice === "on" && support === "granted", enable, disable };
}
