"use client";
import { useEffect, useRef } from "react";
import { useRouter } from "next/navigation";
import { subscribeLiveEvents, type ChangeEvent } from "./live";

/**
 * For server-rendered pages: when a live event matches, re-run the page's server components
 * (`router.refresh()`), debounced so a burst of events costs one refresh, and at most `maxWaitMs`
 * late. Client state (open dialogs, scroll, inputs) survives a refresh.
 */
export function useRefreshOn(match: (e: ChangeEvent) => boolean, { delayMs = 250, maxWaitMs = 900 }: { delayMs?: number; maxWaitMs?: number } = {}): void {
  const router = useRouter();
  const matchRef = useRef(match);
  useEffect(() => {
    matchRef.current = match;
  });
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    let first = 0;
    const fire = () => {
      timer = null;
      first = 0;
      router.refresh();
    };
    const off = subscribeLiveEvents((e) => {
      if (!matchRef.current(e)) return;
      const now = Date.now();
      if (!first) first = now;
      if (timer) clearTimeout(timer);
      timer = setTimeout(fire, Math.max(0, Math.min(delayMs, maxWaitMs - (now - first))));
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [router, delayMs, maxWaitMs]);
}

export type { ChangeEvent };
