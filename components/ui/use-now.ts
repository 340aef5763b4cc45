"use client";
import { useSyncExternalStore } from "react";

/*
 * One shared clock per interval, so a page with 200 relative times has one timer, not 200.
 * Before hydration it returns null: render something stable from the server value then.
 */
type Clock = { now: number; listeners: Set<() => void>; timer: ReturnType<typeof setInterval> | null };
const clocks = new Map<number, Clock>();

function clockFor(ms: number): Clock {
  let c = clocks.get(ms);
  if (!c) clocks.set(ms, (c = { now: Date.now(), listeners: new Set(), timer: null }));
  return c;
}

export function useNow(intervalMs = 30_000): number | null {
  return useSyncExternalStore(
    (notify) => {
      const c = clockFor(intervalMs);
      c.listeners.add(notify);
      if (!c.timer) {
        c.now = Date.now();
        c.timer = setInterval(() => {
          c.now = Date.now();
          c.listeners.forEach((l) => l());
        }, intervalMs);
      }
      return () => {
        c.listeners.delete(notify);
        if (c.listeners.size === 0 && c.timer) {
          clearInterval(c.timer);
          c.timer = null;
        }
      };
    },
    () => clockFor(intervalMs).now,
    () => null,
  );
}
