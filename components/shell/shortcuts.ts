/**
 * Every keyboard shortcut of the dashboard, in one registry: the `?` overlay lists it, the global
 * bindings (components/shell/command-palette.tsx) read their keys from it, and shortcuts.test.ts
 * checks that each page's own bindings (useShortcuts, useListNavigation, Ctrl+Enter in forms) are the
 * ones listed here, both ways, so the overlay cannot drift from what the keys really do.
 */
import { hrefs } from "@/lib/queries/links";

export interface Shortcut {
  /** The keys as shown, one chord per entry; "g o" is g then o. */
  keys: string[];
  label: string;
}
export interface ShortcutGroup {
  title: string;
  /** Where the keys work. */
  where: string;
  items: Shortcut[];
}

/** `g` then a letter: the sections (the palette's "Go to" lists them too). */
export const GO_TO = [
  { key: "o", label: "Overview", href: hrefs.overview() },
  { key: "i", label: "Instructions", href: hrefs.instructions() },
  { key: "t", label: "Tasks", href: hrefs.tasks() },
  { key: "r", label: "Review", href: hrefs.outputs() },
  { key: "n", label: "Inbox", href: hrefs.inbox() },
  { key: "a", label: "Agents", href: hrefs.agents() },
];

/** The key that opens the overlay (Shift+/ on most layouts). */
export const HELP_KEY = "?";

/** Single keys of pages (useShortcuts), by page: checked against the pages' bindings. */
export const PAGE_KEYS = {
  thread: { r: "Reply", e: "Archive or unarchive the thread", u: "Mark unread or read" },
  review: { a: "Approve the version awaiting review", r: "Request changes" },
} as const;

export const SHORTCUT_GROUPS: ShortcutGroup[] = [
  {
    title: "Anywhere",
    where: "on every page, except while typing",
    items: [
      { keys: ["Ctrl K", "⌘ K"], label: "Open the command palette (search, jump, assign work)" },
      { keys: [HELP_KEY], label: "Show these shortcuts" },
      ...GO_TO.map((g) => ({ keys: [`g ${g.key}`], label: `Go to ${g.label}` })),
    ],
  },
  {
    title: "Lists",
    where: "task lists, the board, the inbox, the review queue, search results",
    items: [
      { keys: ["j", "k"], label: "Next / previous item" },
      { keys: ["Enter"], label: "Open the item" },
    ],
  },
  {
    title: "Command palette",
    where: "while it is open",
    items: [
      { keys: ["↑", "↓"], label: "Choose" },
      { keys: ["Enter"], label: "Open or run" },
      { keys: ["Esc"], label: "Close" },
    ],
  },
  {
    title: "Inbox thread",
    where: "on a thread",
    items: [...Object.entries(PAGE_KEYS.thread).map(([k, label]) => ({ keys: [k], label })), { keys: ["Ctrl Enter"], label: "Send the reply" }, { keys: ["Esc"], label: "Leave the reply box" }],
  },
  {
    title: "Output review",
    where: "on an output",
    items: [...Object.entries(PAGE_KEYS.review).map(([k, label]) => ({ keys: [k], label })), { keys: ["Ctrl Enter"], label: "Send the requested changes" }],
  },
  {
    title: "Forms",
    where: "assign work, new message",
    items: [
      { keys: ["Ctrl Enter"], label: "Submit" },
      { keys: ["Esc"], label: "Close the dialog" },
    ],
  },
];
