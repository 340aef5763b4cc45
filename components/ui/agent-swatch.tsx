import * as React from "react";
import Link from "next/link";
import { cn } from "./cn";

/*
 * Agent definitions name terminal colours (bright_yellow, cyan, magenta...). Each maps to a fixed
 * Tailwind background so the class names are present for Tailwind to generate.
 */
const swatchClass: Record<string, string> = {
  black: "bg-zinc-800",
  red: "bg-red-600",
  green: "bg-green-600",
  yellow: "bg-yellow-500",
  blue: "bg-blue-600",
  magenta: "bg-fuchsia-600",
  purple: "bg-purple-600",
  cyan: "bg-cyan-600",
  white: "bg-zinc-300",
  gray: "bg-zinc-500",
  grey: "bg-zinc-500",
  orange: "bg-orange-500",
  pink: "bg-pink-500",
  bright_black: "bg-zinc-500",
  bright_red: "bg-red-500",
  bright_green: "bg-lime-500",
  bright_yellow: "bg-yellow-400",
  bright_blue: "bg-sky-500",
  bright_magenta: "bg-fuchsia-500",
  bright_cyan: "bg-cyan-400",
  bright_white: "bg-white ring-zinc-400/70",
};

const fallback = ["bg-sky-500", "bg-emerald-500", "bg-amber-500", "bg-violet-500", "bg-rose-500", "bg-teal-500", "bg-indigo-500", "bg-lime-500"];

/** The Tailwind background class for an agent colour; unknown or missing colours get a stable one from the name. */
export function agentColorClass(color: string | null | undefined, name = ""): string {
  const key = (color ?? "")
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, "_");
  if (key && swatchClass[key]) return swatchClass[key];
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return fallback[h % fallback.length];
}

/** A small square in the agent's colour. */
export function AgentSwatch({ color, name, className }: { color?: string | null; name?: string; className?: string }) {
  return <span aria-hidden className={cn("inline-block size-2.5 shrink-0 rounded-[3px] ring-1 ring-black/10 ring-inset dark:ring-white/15", agentColorClass(color, name), className)} />;
}

/** Swatch + name (monospace-free, truncates). Links to the agent page when `href` is true or a string. */
export function AgentName({ name, color, href, className }: { name: string; color?: string | null; href?: boolean | string; className?: string }) {
  const inner = (
    <>
      <AgentSwatch color={color} name={name} />
      <span className="truncate">{name}</span>
    </>
  );
  const cls = cn("inline-flex min-w-0 items-center gap-1.5 text-sm", className);
  if (href) {
    return (
      <Link href={typeof href === "string" ? href : `/agents/${encodeURIComponent(name)}`} className={cn(cls, "hover:underline")}>
        {inner}
      </Link>
    );
  }
  return <span className={cls}>{inner}</span>;
}
