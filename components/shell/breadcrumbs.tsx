"use client";
import * as React from "react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { ChevronRight } from "lucide-react";
import { cn } from "@/components/ui/cn";

export interface Crumb {
  label: string;
  href?: string;
  /** Render in monospace (ids). */
  mono?: boolean;
}

const Ctx = React.createContext<{ crumbs: Crumb[] | null; set: (c: Crumb[] | null) => void } | null>(null);

export function BreadcrumbProvider({ children }: { children: React.ReactNode }) {
  const [crumbs, set] = React.useState<Crumb[] | null>(null);
  const value = React.useMemo(() => ({ crumbs, set }), [crumbs]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

/**
 * Rendered by a page (server or client) to name where the person is:
 * `<SetBreadcrumbs items={[{label:"Tasks",href:"/tasks"},{label:task.title}]} />`.
 * Without it the top bar derives crumbs from the URL.
 */
export function SetBreadcrumbs({ items }: { items: Crumb[] }) {
  const ctx = React.useContext(Ctx);
  const json = JSON.stringify(items);
  React.useEffect(() => {
    if (!ctx) return;
    ctx.set(JSON.parse(json) as Crumb[]);
    return () => ctx.set(null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [json]);
  return null;
}

const sectionLabel: Record<string, string> = {
  instructions: "Instructions",
  tasks: "Tasks",
  outputs: "Review",
  inbox: "Inbox",
  agents: "Agents",
  new: "New",
};

function fromPath(pathname: string): Crumb[] {
  const parts = pathname.split("/").filter(Boolean);
  if (parts.length === 0) return [{ label: "Overview" }];
  const out: Crumb[] = [];
  let href = "";
  parts.forEach((p, i) => {
    href += `/${p}`;
    const decoded = decodeURIComponent(p);
    const label = i === 0 ? (sectionLabel[p] ?? decoded) : (sectionLabel[p] ?? decoded);
    out.push({ label, href: i < parts.length - 1 ? href : undefined, mono: i > 0 && !sectionLabel[p] });
  });
  return out;
}

export function Breadcrumbs({ className }: { className?: string }) {
  const ctx = React.useContext(Ctx);
  const pathname = usePathname();
  const crumbs = ctx?.crumbs ?? fromPath(pathname);
  return (
    <nav aria-label="Breadcrumb" className={cn("min-w-0", className)}>
      <ol className="flex min-w-0 items-center gap-1 text-sm">
        {crumbs.map((c, i) => {
          const last = i === crumbs.length - 1;
          return (
            <li key={i} className={cn("flex min-w-0 items-center gap-1", last ? "shrink" : "shrink-0")}>
              {i > 0 && <ChevronRight aria-hidden className="size-3.5 shrink-0 text-muted-foreground/70" />}
              {c.href && !last ? (
                <Link href={c.href} className={cn("truncate text-muted-foreground hover:text-foreground", c.mono && "font-mono text-xs")}>
                  {c.label}
                </Link>
              ) : (
                <span aria-current={last ? "page" : undefined} className={cn("truncate", last ? "font-medium" : "text-muted-foreground", c.mono && "font-mono text-xs")}>
                  {c.label}
                </span>
              )}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
