"use client";
import * as React from "react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { Bot, CheckSquare, Inbox, LayoutDashboard, ListTodo, PanelLeftClose, PanelLeftOpen, Settings, SquareKanban } from "lucide-react";
import { cn } from "@/components/ui/cn";
import { Button } from "@/components/ui/button";
import { Tooltip } from "@/components/ui/tooltip";
import { CountBadge } from "@/components/ui/badge";
import { useCounts, type ShellCounts } from "@/lib/queries/hooks";
import type { LiveState } from "@/lib/queries/live";
import { hrefs } from "@/lib/queries/links";
import { LiveIndicator } from "./live-indicator";
import { ThemeSwitch } from "./theme-switch";
import { UserMenu, type ShellUser } from "./user-menu";
import { useSidebarMode } from "./use-sidebar-mode";

const nav = [
  { href: "/", label: "Overview", Icon: LayoutDashboard, match: (p: string) => p === "/" },
  { href: "/instructions", label: "Instructions", Icon: ListTodo, match: (p: string) => p.startsWith("/instructions") },
  { href: "/tasks", label: "Tasks", Icon: SquareKanban, match: (p: string) => p.startsWith("/tasks") },
  { href: hrefs.outputs(), label: "Review", Icon: CheckSquare, match: (p: string) => p.startsWith("/outputs"), count: "awaitingReview" as const },
  { href: hrefs.inbox(), label: "Inbox", Icon: Inbox, match: (p: string) => p.startsWith("/inbox"), count: "unread" as const },
  { href: "/agents", label: "Agents", Icon: Bot, match: (p: string) => p.startsWith("/agents") },
  // People and tokens: only admins may manage them (everyone else would get the page's 403 state).
  { href: "/settings", label: "Settings", Icon: Settings, match: (p: string) => p.startsWith("/settings"), adminOnly: true },
];

/**
 * The sidebar: the sections with their counts, the live state, theme and account. It folds into a
 * rail of icons (names kept for screen readers and as tooltips) below 1024 px wide, or whenever the
 * person folds it with the toggle; their choice is remembered (use-sidebar-mode.ts).
 */
export function Sidebar({ user, counts: initialCounts, live }: { user: ShellUser; counts: ShellCounts; live: LiveState }) {
  const pathname = usePathname();
  const { data: counts } = useCounts(initialCounts);
  const sidebar = useSidebarMode();
  return (
    <aside
      id="sidebar"
      data-sidebar={sidebar.mode}
      data-collapsed={sidebar.collapsed}
      className="flex w-52 shrink-0 flex-col border-r bg-sidebar text-sidebar-foreground collapsed:w-14"
      aria-label="Sidebar"
      data-testid="sidebar"
    >
      <div className="flex h-11 items-center gap-2 px-4 collapsed:justify-center collapsed:px-0">
        <span aria-hidden className="grid size-5 place-items-center rounded bg-primary text-[10px] font-bold text-primary-foreground collapsed:hidden">
          A
        </span>
        <Link href="/" className="text-sm font-semibold tracking-tight collapsed:sr-only">
          AgentDesk
        </Link>
        <Tooltip content={sidebar.collapsed ? "Expand the sidebar" : "Collapse the sidebar"} side="right">
          <Button
            variant="ghost"
            size="icon-sm"
            className="ml-auto collapsed:ml-0"
            aria-label={sidebar.collapsed ? "Expand the sidebar" : "Collapse the sidebar"}
            aria-expanded={!sidebar.collapsed}
            aria-controls="sidebar"
            data-testid="sidebar-toggle"
            onClick={sidebar.toggle}
          >
            {sidebar.collapsed ? <PanelLeftOpen /> : <PanelLeftClose />}
          </Button>
        </Tooltip>
      </div>
      <nav aria-label="Main" className="flex-1 px-2 py-2">
        <ul className="grid gap-0.5">
          {nav.map(({ href, label, Icon, match, count, adminOnly }) => {
            if (adminOnly && user.role !== "admin") return null;
            const active = match(pathname);
            const n = count ? (counts?.[count] ?? 0) : 0;
            return (
              <li key={href}>
                <Tooltip content={sidebar.collapsed ? (n ? `${label} · ${n}` : label) : null} side="right">
                  <Link
                    href={href}
                    aria-current={active ? "page" : undefined}
                    data-testid={`nav-${label.toLowerCase()}`}
                    className={cn(
                      "relative flex h-8 items-center gap-2.5 rounded-md px-2.5 text-sm transition-colors hover:bg-accent hover:text-accent-foreground collapsed:justify-center collapsed:px-0",
                      active ? "bg-accent font-medium text-foreground" : "text-sidebar-foreground",
                    )}
                  >
                    <Icon aria-hidden className={cn("size-4", active ? "text-foreground" : "text-muted-foreground")} />
                    <span className="collapsed:sr-only">{label}</span>
                    {count && (
                      <CountBadge
                        count={n}
                        label={count === "unread" ? "unread" : "awaiting review"}
                        className={cn(
                          "collapsed:sr-only",
                          count === "awaitingReview" && n > 0 && "bg-status-review/15 text-status-review",
                          count === "unread" && n > 0 && "bg-status-progress/15 text-status-progress",
                        )}
                      />
                    )}
                    {count && n > 0 && (
                      <span aria-hidden className={cn("absolute top-1 right-2 hidden size-2 rounded-full collapsed:block", count === "unread" ? "bg-status-progress" : "bg-status-review")} />
                    )}
                  </Link>
                </Tooltip>
              </li>
            );
          })}
        </ul>
      </nav>
      <div className="grid gap-3 border-t px-3 py-3 collapsed:justify-items-center collapsed:px-1">
        <div className="flex items-center justify-between gap-2 collapsed:flex-col">
          <LiveIndicator state={live} labelClassName="collapsed:sr-only" />
          <ThemeSwitch className="collapsed:flex-col" />
        </div>
        <UserMenu user={user} />
      </div>
    </aside>
  );
}
