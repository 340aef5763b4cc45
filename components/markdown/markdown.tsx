import * as React from "react";
import ReactMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";
import rehypeSanitize, { defaultSchema } from "rehype-sanitize";
import { cn } from "@/components/ui/cn";
import { isExternalHref } from "@/lib/url/same-origin";

/*
 * Markdown from people and agents, rendered safely: raw HTML in the source is shown as text (no
 * rehype-raw), the tree is sanitised with the GitHub-like default schema, and only http(s), mailto
 * and relative URLs survive (javascript:, data:, vbscript: and friends are dropped). Links that
 * leave the app (absolute or protocol-relative, lib/url/same-origin.ts) open in a new tab without a
 * referrer. Works in server and client components.
 */

const SAFE_PROTOCOL = /^(https?:|mailto:)/i;

export function safeUrl(url: string): string {
  const u = url.trim();
  // Control characters and whitespace inside a scheme are a classic way to sneak `javascript:` past a check.
  const squashed = u.replace(/[\u0000-\u001F\u007F\s]+/g, "");
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(squashed);
  if (scheme) return SAFE_PROTOCOL.test(squashed) ? u : "";
  return u; // relative, #anchor, /path
}

const components: Components = {
  a({ href, children, node: _node, ...props }) {
    if (!href) return <span>{children}</span>;
    // Protocol-relative links (`//host`, `/\host`) leave the app as surely as `https://host`.
    if (isExternalHref(href) && !/^mailto:/i.test(href.trim())) {
      return (
        <a href={href} target="_blank" rel="noreferrer noopener" {...props}>
          {children}
        </a>
      );
    }
    return (
      <a href={href} {...props}>
        {children}
      </a>
    );
  },
  img({ src, alt, node: _node, ...props }) {
    // Remote images would let an agent make the browser call out (tracking); show the link instead.
    if (typeof src !== "string" || !src) return null;
    return (
      <a href={src} target="_blank" rel="noreferrer noopener" title={src} {...(props as object)}>
        [image: {alt || src}]
      </a>
    );
  },
};

const schema = {
  ...defaultSchema,
  // Keep GFM task-list checkboxes and code-language classes; nothing else is added to the default.
  attributes: {
    ...defaultSchema.attributes,
    code: [...(defaultSchema.attributes?.code ?? []), ["className", /^language-./]],
  },
};

// Rendered trees by source text, most recently used last. Messages, outputs and review comments
// never change, and a thread page renders every body of the thread on each view: 40 bodies were most
// of a long thread's render time (docs/benchmarks.md). The tree is React elements only (no state),
// so one tree serves any number of renders.
const MAX_CACHED = 2000;
const trees = new Map<string, React.ReactNode>();

function renderTree(text: string): React.ReactNode {
  const hit = trees.get(text);
  if (hit !== undefined) {
    trees.delete(text);
    trees.set(text, hit);
    return hit;
  }
  // react-markdown's Markdown is a synchronous function of its props: called directly, its result
  // (the element tree) can be kept.
  const tree = ReactMarkdown({ children: text, remarkPlugins: [remarkGfm], rehypePlugins: [[rehypeSanitize, schema]], urlTransform: safeUrl, components, skipHtml: true });
  trees.set(text, tree);
  if (trees.size > MAX_CACHED) trees.delete(trees.keys().next().value!);
  return tree;
}

export function Markdown({ children, className, compact }: { children: string | null | undefined; className?: string; compact?: boolean }) {
  if (!children?.trim()) return null;
  return (
    <div
      className={cn(
        "prose prose-sm max-w-none text-foreground dark:prose-invert",
        "prose-headings:font-semibold prose-headings:tracking-tight prose-a:text-status-progress prose-a:no-underline hover:prose-a:underline",
        "prose-code:rounded prose-code:bg-muted prose-code:px-1 prose-code:py-0.5 prose-code:font-mono prose-code:text-[0.85em] prose-code:before:content-none prose-code:after:content-none",
        "prose-pre:border prose-pre:bg-muted prose-pre:text-foreground prose-pre:[&_code]:bg-transparent prose-pre:[&_code]:p-0",
        "break-words",
        compact && "prose-p:my-1 prose-ul:my-1 prose-ol:my-1 prose-headings:my-1.5",
        className,
      )}
    >
      {renderTree(children)}
    </div>
  );
}
