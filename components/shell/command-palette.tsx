"use client";
import * as React from "react";
import { useRouter } from "next/navigation";
import dynamic from "next/dynamic";
import { isTypingTarget } from "@/components/ui/use-list-navigation";
import { GO_TO, HELP_KEY } from "./shortcuts";

// Opened on demand, so loaded on demand. In the shell of every page they weighed about 30 kB of
// gzipped JavaScript (the assign form with its pickers, the shortcuts table) and the palette itself
// (cmdk, its icons, search hits) about 7 kB more, 15 on pages with no dialog of their own (Radix's
// dialog came with it), before anyone opened them. What stays in the shell
// is the keys (the registry, shortcuts.ts) and this provider. The palette's code is fetched ahead
// when a hand goes to it (Ctrl or ⌘ pressed, the top bar's search button hovered or focused), so
// that it is there by the time ⌘K lands.
const loadPalette = () => import("./command-palette-dialog");
const CommandPaletteDialog = dynamic(() => loadPalette().then((m) => m.CommandPaletteDialog), { ssr: false });
const AssignWorkDialog = dynamic(() => import("@/components/tasks/assign-work-dialog").then((m) => m.AssignWorkDialog), { ssr: false });
const ShortcutsOverlay = dynamic(() => import("./shortcuts-overlay").then((m) => m.ShortcutsOverlay), { ssr: false });

/** Starts fetching the palette's code (once; a failed fetch is tried again when it opens). */
export const prefetchPalette = () => void loadPalette().catch(() => undefined);

/** An overlay's open state, and whether it was ever opened (it is mounted, and its code loaded, from then on). */
function useLazyOpen() {
  const [state, setState] = React.useState({ open: false, mounted: false });
  const setOpen = React.useCallback(
    (v: boolean | ((open: boolean) => boolean)) =>
      setState((s) => {
        const open = typeof v === "function" ? v(s.open) : v;
        return { open, mounted: s.mounted || open };
      }),
    [],
  );
  return [state.open, state.mounted, setOpen] as const;
}

const PaletteCtx = React.createContext<{ open: () => void; assign: () => void; shortcuts: () => void } | null>(null);
export const usePalette = () => React.useContext(PaletteCtx);

/**
 * ⌘K / Ctrl-K: jump to a page, a task, an instruction, an agent or a message thread (the palette,
 * command-palette-dialog.tsx: recent tasks, instructions and agents are loaded when it opens and
 * filtered there; what is typed is also sent to search everywhere, "See all results" opens the search
 * page). `?` shows the shortcuts; `g` then o/i/t/r/n/a jumps to a section without opening anything.
 */
export function CommandPaletteProvider({ children }: { children: React.ReactNode }) {
  const [open, paletteMounted, setOpen] = useLazyOpen();
  const [assignOpen, assignMounted, setAssignOpen] = useLazyOpen();
  const [helpOpen, helpMounted, setHelpOpen] = useLazyOpen();
  const router = useRouter();

  React.useEffect(() => {
    let g = 0;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Control" || e.key === "Meta") {
        prefetchPalette();
        return;
      }
      if ((e.metaKey || e.ctrlKey) && !e.altKey && e.key.toLowerCase() === "k") {
        e.preventDefault();
        setOpen((o) => !o);
        return;
      }
      if (e.metaKey || e.ctrlKey || e.altKey || isTypingTarget(e.target)) return;
      if (e.key === HELP_KEY && !e.defaultPrevented) {
        e.preventDefault();
        setHelpOpen((o) => !o);
        return;
      }
      if (e.key === "g") {
        g = Date.now();
        return;
      }
      if (g && Date.now() - g < 1200) {
        const dest = GO_TO.find((d) => d.key === e.key);
        g = 0;
        if (dest) {
          e.preventDefault();
          router.push(dest.href);
        }
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [router, setOpen, setHelpOpen]);

  const ctx = React.useMemo(() => ({ open: () => setOpen(true), assign: () => setAssignOpen(true), shortcuts: () => setHelpOpen(true) }), [setOpen, setAssignOpen, setHelpOpen]);
  return (
    <PaletteCtx.Provider value={ctx}>
      {children}
      {paletteMounted && <CommandPaletteDialog open={open} onOpenChange={setOpen} onAssign={() => setAssignOpen(true)} onShortcuts={() => setHelpOpen(true)} />}
      {assignMounted && <AssignWorkDialog open={assignOpen} onOpenChange={setAssignOpen} />}
      {helpMounted && <ShortcutsOverlay open={helpOpen} onOpenChange={setHelpOpen} />}
    </PaletteCtx.Provider>
  );
}
