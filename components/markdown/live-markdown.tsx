"use client";
import * as React from "react";
import { cn } from "@/components/ui/cn";

/*
 * Markdown in client components without shipping the renderer (react-markdown, remark-gfm and
 * rehype-sanitize: 48 kB of gzipped JavaScript) with the page. The page renders the markdown it
 * already has on the server (`<Markdown>` in a server component) and passes the result down as
 * `rendered`: it is shown as long as the text is the one it was rendered from. Text that arrives or
 * changes later (a live update, the preview of what is being typed) loads the same renderer on
 * demand, showing the plain text for the moment that takes.
 */

type MarkdownComponent = typeof import("./markdown").Markdown;
let renderer: MarkdownComponent | null = null;
let loading: Promise<MarkdownComponent> | null = null;
const loadRenderer = () => (loading ??= import("./markdown").then((m) => (renderer = m.Markdown)));

export interface RenderedMarkdown {
  /** The text the node was rendered from. */
  text: string;
  node: React.ReactNode;
}

export function LiveMarkdown({ text, rendered, compact, className }: { text: string | null | undefined; rendered?: RenderedMarkdown | null; compact?: boolean; className?: string }) {
  if (!text?.trim()) return null;
  if (rendered && rendered.text === text) return <>{rendered.node}</>;
  return <OnDemandMarkdown text={text} compact={compact} className={className} />;
}

/** The renderer, loaded the first time it is needed; until then the text as written. */
export function OnDemandMarkdown({ text, compact, className }: { text: string; compact?: boolean; className?: string }) {
  const [Markdown, setMarkdown] = React.useState<MarkdownComponent | null>(() => renderer);
  React.useEffect(() => {
    if (Markdown) return;
    let live = true;
    void loadRenderer().then((m) => live && setMarkdown(() => m));
    return () => {
      live = false;
    };
  }, [Markdown]);
  if (!Markdown) return <div className={cn("text-sm whitespace-pre-wrap break-words text-foreground", className)}>{text}</div>;
  return (
    <Markdown compact={compact} className={className}>
      {text}
    </Markdown>
  );
}
