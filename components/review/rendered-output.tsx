import * as React from "react";
import type { OutputDto } from "@/lib/services";
import { Markdown } from "@/components/markdown/markdown";
import { highlight } from "@/components/markdown/highlight";

/** JSON is shown pretty-printed when it parses; otherwise as it came. */
function prettyJson(content: string): string {
  try {
    return JSON.stringify(JSON.parse(content), null, 2);
  } catch {
    return content;
  }
}

/**
 * An output's content as a person reads it (server only: shiki stays out of the browser).
 * Markdown through the sanitising component; YAML, JSON and code highlighted by shiki, whose HTML
 * is built by its own tokenizer from escaped text; anything else as plain text.
 */
export async function RenderedOutput({ output }: { output: Pick<OutputDto, "format" | "language"> & { content?: string } }) {
  const content = output.content ?? "";
  if (!content.trim()) return <p className="text-sm text-muted-foreground italic">This version is empty.</p>;
  if (output.format === "markdown") {
    return (
      <div className="rounded-lg border bg-card px-5 py-4">
        <Markdown>{content}</Markdown>
      </div>
    );
  }
  if (output.format === "json" || output.format === "yaml" || output.format === "code") {
    const lang = output.format === "code" ? output.language : output.format;
    const html = await highlight(output.format === "json" ? prettyJson(content) : content, lang);
    return <div data-testid="rendered-code" className="text-xs [&_.shiki]:max-h-[70vh]" dangerouslySetInnerHTML={{ __html: html }} />;
  }
  return <pre className="overflow-x-auto rounded-md border bg-muted/30 p-3 font-mono text-xs leading-relaxed whitespace-pre-wrap break-words">{content}</pre>;
}
