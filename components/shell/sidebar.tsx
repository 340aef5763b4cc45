"use client";
import * as React from "react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { Bot, CheckSquare, Inbox, LayoutDashboard, ListTodo, Settings, SquareKanban } from "lucide-react";
import { cn } from "@/components/ui/cn";
import { CountBadge } from "@/components/ui/badge";
import { useCounts, type ShellCounts } from "@/lib/queries/hooks";
import type { LiveState } from "@/lib/queries/live";
import { hrefs } from "@/lib/queries/links";
import { LiveIndicator } from "./live-indicator";
import { ThemeSwitch } from "./theme-switch";
import { UserMenu, type ShellUser } from "./user-menu";

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

export function Sidebar({ user, counts: initialCounts, live }: { user: ShellUser; counts: ShellCounts; live: LiveState }) {
  const pathname = usePathname();
  const { data: counts } = useCounts(initialCounts);
  return (
    <aside className="flex w-52 shrink-0 flex-col border-r bg-sidebar text-sidebar-foreground" aria-label="Sidebar">
      <div className="flex h-11 items-center gap-2 px-4">
        <span aria-hidden className="grid size-5 place-items-center rounded bg-primary text-[10px] font-bold text-primary-foreground">
          A
        </span>
        <Link href="/" className="text-sm font-semibold tracking-tight">
          AgentDesk
        </Link>
      </div>
      <nav aria-label="Main" className="flex-1 px-2 py-2">
        <ul className="grid gap-0.5">
          {nav.map(({ href, label, Icon, match, count, adminOnly }) => {
            if (adminOnly && user.role !== "admin") return null;
            const active = match(pathname);
            const n = count ? (counts?.[count] ?? 0) : 0;
            return (
              <li key={href}>
                <Link
                  href={href}
                  aria-current={active ? "page" : undefined}
                  data-testid={`nav-${label.toLowerCase()}`}
                  className={cn(
                    "flex h-8 items-center gap-2.5 rounded-md px-2.5 text-sm transition-colors hover:bg-accent hover:text-accent-foreground",
                    active ? "bg-accent font-medium text-foreground" : "text-sidebar-foreground",
                  )}
                >
                  <Icon aria-hidden className={cn("size-4", active ? "text-foreground" : "text-muted-foreground")} />
                  {label}
                  {count && (
                    <CountBadge
                      count={n}
                      label={count === "unread" ? "unread" : "awaiting review"}
                      className={cn(count === "awaitingReview" && n > 0 && "bg-status-review/15 text-status-review", count === "unread" && n > 0 && "bg-status-progress/15 text-status-progress")}
                    />
                  )}
                </Link>
              </li>
            );
          })}
        </ul>
      </nav>
      <div className="grid gap-3 border-t px-3 py-3">
        <div className="flex items-center justify-between gap-2">
          <LiveIndicator state={live} />
          <ThemeSwitch />
        </div>
        <UserMenu user={user} />
      </div>
    </aside>
  );
}
