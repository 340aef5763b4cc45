import type * as React from "react";
import Link from "next/link";
import { cn } from "./cn";

/**
 * A list row that opens a page: an <li> holding one grid Link, marked `data-nav-item` so
 * useListNavigation's j/k reach it, with the lists' hover and inset focus ring. Give the columns in className.
 */
export function NavRow({ href, className, children }: { href: string; className: string; children: React.ReactNode }) {
  return (
    <li>
      <Link href={href} data-nav-item className={cn("grid items-center gap-3 py-2 hover:bg-accent focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-ring", className)}>
        {children}
      </Link>
    </li>
  );
}
