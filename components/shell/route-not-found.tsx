import type * as React from "react";
import Link from "next/link";
import { EmptyState } from "@/components/ui/empty-state";
import { Button } from "@/components/ui/button";
import { PageBody } from "@/components/shell/page-header";
import { cn } from "@/components/ui/cn";

/** Where a not-found page sends the reader next. */
export interface NotFoundLink {
  href: string;
  label: React.ReactNode;
}

/**
 * A not-found.tsx body: "No such …" with a way back.
 * `page` sits in the page column (detail pages); `pane` centres itself in a split view's right pane.
 */
export function RouteNotFound({
  title,
  description,
  back,
  icon,
  layout = "page",
  className,
}: {
  title: string;
  description: string;
  back?: NotFoundLink;
  icon?: React.ReactNode;
  layout?: "page" | "pane";
  className?: string;
}) {
  const state = (
    <EmptyState
      icon={icon}
      title={title}
      description={description}
      action={
        back && (
          <Button asChild size="sm" variant="outline">
            <Link href={back.href}>{back.label}</Link>
          </Button>
        )
      }
      className={layout === "pane" ? "w-full max-w-md" : undefined}
    />
  );
  if (layout === "page") return <PageBody>{state}</PageBody>;
  return <div className={cn("flex h-full items-center justify-center p-6", className)}>{state}</div>;
}

/** The bare 404 page: a heading and a way back, for routes outside the page column. */
export function NotFound404({ title, description, back }: { title: string; description: string; back: NotFoundLink }) {
  return (
    <div className="flex min-h-[60vh] flex-col items-center justify-center gap-2 px-6 text-center">
      <p className="font-mono text-xs text-muted-foreground">404</p>
      <h1 className="text-lg font-semibold">{title}</h1>
      <p className="max-w-sm text-sm text-muted-foreground">{description}</p>
      <Button asChild variant="outline" size="sm" className="mt-2">
        <Link href={back.href}>{back.label}</Link>
      </Button>
    </div>
  );
}
