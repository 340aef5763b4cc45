"use client";
import * as React from "react";
import { isTypingTarget } from "@/components/ui/use-list-navigation";

/**
 * Single-key shortcuts for a page (`a`, `r`, `e`, `u`…), ignored while typing, inside dialogs, with
 * modifiers, and right after `g` (the command palette's "g r" / "g a" navigation owns that key).
 * Handlers may change every render; the listener is registered once.
 */
export function useShortcuts(handlers: Record<string, (e: KeyboardEvent) => void>, enabled = true): void {
  const lastG = React.useRef(0);
  const onKey = React.useEffectEvent((e: KeyboardEvent) => {
    if (!enabled || e.defaultPrevented || e.metaKey || e.ctrlKey || e.altKey || e.shiftKey || e.repeat || isTypingTarget(e.target)) return;
    if (e.key === "g") {
      lastG.current = Date.now();
      return;
    }
    if (Date.now() - lastG.current < 1200) {
      lastG.current = 0;
      return;
    }
    const fn = handlers[e.key];
    if (!fn) return;
    e.preventDefault();
    fn(e);
  });
  React.useEffect(() => {
    const listener = (e: KeyboardEvent) => onKey(e);
    document.addEventListener("keydown", listener);
    return () => document.removeEventListener("keydown", listener);
  }, []);
}
