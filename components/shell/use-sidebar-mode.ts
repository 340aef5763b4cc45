"use client";
import * as React from "react";

/**
 * The sidebar's fold: "auto" (no choice made: a rail below 1024 px, full above it, by CSS, so the
 * server's HTML is right), or the person's own choice, remembered in this browser (localStorage).
 */
export type SidebarMode = "auto" | "collapsed" | "expanded";

const KEY = "agentdesk.sidebar";
const CHANGED = "agentdesk:sidebar-changed";
const NARROW = "(width < 64rem)";

function readMode(): SidebarMode {
  try {
    const v = window.localStorage.getItem(KEY);
    return v === "collapsed" || v === "expanded" ? v : "auto";
  } catch {
    return "auto";
  }
}

function subscribe(l: () => void) {
  const mq = window.matchMedia(NARROW);
  mq.addEventListener("change", l);
  window.addEventListener("storage", l);
  window.addEventListener(CHANGED, l);
  return () => {
    mq.removeEventListener("change", l);
    window.removeEventListener("storage", l);
    window.removeEventListener(CHANGED, l);
  };
}

export function useSidebarMode() {
  const mode = React.useSyncExternalStore(subscribe, readMode, () => "auto" as const);
  const narrow = React.useSyncExternalStore(
    subscribe,
    () => window.matchMedia(NARROW).matches,
    () => false,
  );
  const collapsed = mode === "collapsed" || (mode === "auto" && narrow);
  const toggle = React.useCallback(() => {
    try {
      window.localStorage.setItem(KEY, collapsed ? "expanded" : "collapsed");
    } catch {
      // storage refused: the fold still changes for this page
    }
    window.dispatchEvent(new Event(CHANGED));
  }, [collapsed]);
  return { mode, collapsed, toggle };
}
