"use client";
import { useEffect, type RefObject } from "react";

/*
 * `j` / `k` move focus through the items of a list (elements matching `selector` inside the
 * container); Enter then activates the focused link or button natively. Several lists may be
 * mounted: the one holding focus handles the keys, otherwise the first one mounted.
 */
const registry: RefObject<HTMLElement | null>[] = [];

export function isTypingTarget(t: EventTarget | null): boolean {
  const el = t as HTMLElement | null;
  if (!el || !el.tagName) return false;
  const tag = el.tagName;
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable || !!el.closest?.("[role=dialog],[cmdk-root]");
}

export function useListNavigation(
  ref: RefObject<HTMLElement | null>,
  { selector = "[data-nav-item]", enabled = true, onMove }: { selector?: string; enabled?: boolean; onMove?: (el: HTMLElement, index: number) => void } = {},
): void {
  useEffect(() => {
    if (!enabled) return;
    registry.push(ref);
    const onKey = (ev: KeyboardEvent) => {
      if (ev.defaultPrevented || ev.metaKey || ev.ctrlKey || ev.altKey || isTypingTarget(ev.target)) return;
      if (ev.key !== "j" && ev.key !== "k") return;
      const container = ref.current;
      if (!container) return;
      const active = document.activeElement;
      const owner = registry.find((r) => r.current && active && r.current.contains(active)) ?? registry.find((r) => r.current);
      if (owner !== ref) return;
      const items = Array.from(container.querySelectorAll<HTMLElement>(selector)).filter((el) => el.offsetParent !== null);
      if (items.length === 0) return;
      ev.preventDefault();
      const current = items.findIndex((el) => el === active || el.contains(active));
      const next = current === -1 ? (ev.key === "j" ? 0 : items.length - 1) : Math.max(0, Math.min(items.length - 1, current + (ev.key === "j" ? 1 : -1)));
      const el = items[next];
      el.focus({ preventScroll: true });
      el.scrollIntoView({ block: "nearest" });
      onMove?.(el, next);
    };
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("keydown", onKey);
      const i = registry.indexOf(ref);
      if (i >= 0) registry.splice(i, 1);
    };
  }, [ref, selector, enabled, onMove]);
}
