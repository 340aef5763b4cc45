"use client";
import { useCallback, useSyncExternalStore } from "react";

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
  const subscribe = useCallback(
    (notify: () => void) => {
      const c = clockFor(intervalMs);
      c.listeners.add(notify);
      if (!c.timer) {
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
    [intervalMs],
  );
  const snapshot = useCallback(() => {
    const c = clockFor(intervalMs);
    // A clock that has been idle catches up on first read (snapshot stays stable within a tick).
    if (!c.timer && Date.now() - c.now > intervalMs) c.now = Date.now();
    return c.now;
  }, [intervalMs]);
  return useSyncExternalStore(subscribe, snapshot, () => null);
}
