"use client";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Kbd } from "@/components/ui/kbd";
import { SHORTCUT_GROUPS } from "./shortcuts";

const isModifier = (k: string) => k === "Ctrl" || k === "⌘" || k === "Shift" || k === "Alt";

/** `?`: every keyboard shortcut, read from the one registry (shortcuts.ts). */
export function ShortcutsOverlay({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent
        className="top-[8%] max-h-[84vh] max-w-2xl overflow-y-auto"
        aria-describedby="shortcuts-desc"
        data-testid="shortcuts-overlay"
        onKeyDown={(e) => {
          if (e.key === "?") {
            e.preventDefault();
            onOpenChange(false);
          }
        }}
      >
        <DialogHeader>
          <DialogTitle>Keyboard shortcuts</DialogTitle>
          <DialogDescription id="shortcuts-desc">Single keys work when you are not typing in a field. Press ? again or Esc to close.</DialogDescription>
        </DialogHeader>
        <div className="grid gap-x-6 gap-y-4 sm:grid-cols-2">
          {SHORTCUT_GROUPS.map((g) => (
            <section key={g.title} aria-labelledby={`shortcuts-${g.title}`} className="min-w-0">
              <h3 id={`shortcuts-${g.title}`} className="text-xs font-semibold">
                {g.title}
              </h3>
              <p className="mb-1.5 text-[11px] text-muted-foreground">{g.where}</p>
              <dl className="grid gap-1">
                {g.items.map((s) => (
                  <div key={`${g.title}-${s.keys.join()}`} className="flex items-baseline justify-between gap-3 text-sm">
                    <dt className="min-w-0 text-muted-foreground">{s.label}</dt>
                    <dd className="flex shrink-0 items-center gap-1">
                      {s.keys.map((k, i) => (
                        <span key={k} className="flex items-center gap-1">
                          {i > 0 && <span className="text-[11px] text-muted-foreground">or</span>}
                          {k.split(" ").map((part, j, parts) => (
                            <span key={j} className="flex items-center gap-1">
                              {j > 0 && <span className="text-[11px] text-muted-foreground">{isModifier(parts[0]) ? "+" : "then"}</span>}
                              <Kbd>{part}</Kbd>
                            </span>
                          ))}
                        </span>
                      ))}
                    </dd>
                  </div>
                ))}
              </dl>
            </section>
          ))}
        </div>
      </DialogContent>
    </Dialog>
  );
}
