"use client";
import * as React from "react";
import { useLiveEvents } from "@/lib/queries/live";
import { NotificationCenter } from "@/components/notifications/notification-center";
import type { ShellCounts } from "@/lib/queries/hooks";
import { BreadcrumbProvider } from "./breadcrumbs";
import { CommandPaletteProvider } from "./command-palette";
import { Sidebar } from "./sidebar";
import { TopBar } from "./top-bar";
import type { ShellUser } from "./user-menu";

/** The signed-in frame: sidebar, top bar with breadcrumbs and ⌘K, the live change stream. */
export function AppShell({ user, counts, since, children }: { user: ShellUser; counts: ShellCounts; since?: number; children: React.ReactNode }) {
  const live = useLiveEvents(since);
  return (
    <BreadcrumbProvider>
      <CommandPaletteProvider>
        <a href="#main" className="sr-only z-50 rounded-md bg-background px-3 py-2 text-sm focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:outline-2 focus:outline-ring">
          Skip to content
        </a>
        <NotificationCenter user={user} />
        <div className="flex h-dvh overflow-hidden">
          <Sidebar user={user} counts={counts} live={live} />
          <div className="flex min-w-0 flex-1 flex-col">
            <TopBar />
            <main id="main" tabIndex={-1} className="min-h-0 flex-1 overflow-y-auto outline-none">
              {children}
            </main>
          </div>
        </div>
      </CommandPaletteProvider>
    </BreadcrumbProvider>
  );
}
