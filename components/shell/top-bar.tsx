"use client";
import { Keyboard, Search } from "lucide-react";
import { Kbd } from "@/components/ui/kbd";
import { Button } from "@/components/ui/button";
import { Tooltip } from "@/components/ui/tooltip";
import { Breadcrumbs } from "./breadcrumbs";
import { prefetchPalette, usePalette } from "./command-palette";

export function TopBar() {
  const palette = usePalette();
  return (
    <header className="flex h-11 shrink-0 items-center gap-3 border-b px-4">
      <Breadcrumbs className="flex-1" />
      <button
        type="button"
        onClick={() => palette?.open()}
        onPointerEnter={prefetchPalette}
        onFocus={prefetchPalette}
        className="flex h-7 w-56 items-center max-md:w-40 gap-2 rounded-md border bg-background px-2 text-xs text-muted-foreground hover:bg-accent focus-visible:outline-2 focus-visible:outline-ring"
        aria-keyshortcuts="Control+K Meta+K"
        data-testid="command-palette-button"
      >
        <Search aria-hidden className="size-3.5" />
        <span className="flex-1 text-left">Search or jump to…</span>
        <Kbd>⌘K</Kbd>
      </button>
      <Tooltip content="Keyboard shortcuts (?)" side="bottom">
        <Button variant="ghost" size="icon-sm" aria-label="Keyboard shortcuts" aria-keyshortcuts="?" onClick={() => palette?.shortcuts()} data-testid="shortcuts-button">
          <Keyboard />
        </Button>
      </Tooltip>
    </header>
  );
}
