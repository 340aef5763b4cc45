"use client";
import * as React from "react";
import { useRouter } from "next/navigation";
import { Command } from "cmdk";
import { useTheme } from "next-themes";
import { Bot, CheckSquare, FileText, Inbox, Keyboard, LayoutDashboard, ListTodo, Plus, Search, SquareKanban, SunMoon } from "lucide-react";
import { Dialog, DialogContent, DialogDescription, DialogTitle } from "@/components/ui/dialog";
import { StatusIcon } from "@/components/ui/status";
import { AgentSwatch } from "@/components/ui/agent-swatch";
import { Kbd } from "@/components/ui/kbd";
import { usePaletteData } from "@/lib/queries/palette";
import { hrefs } from "@/lib/queries/links";
import { searchHref } from "@/lib/queries/search-params";
import { hitHref, kindLabel } from "@/components/search/hit-href";
import { KindIcon } from "@/components/search/kind-icon";
import { GO_TO } from "./shortcuts";

// The palette itself (cmdk, its icons, the search hits): loaded by command-palette.tsx when it is
// first opened, not with the shell of every page.

/* Loose shapes: the palette reads only a few fields of what the API returns. */
interface TaskLite {
  id: string;
  ref?: string;
  title: string;
  status: string;
  assignedAgent?: string;
}
interface InstructionLite {
  id: string;
  title: string;
  phase?: string;
}
interface AgentLite {
  name: string;
  description?: string;
  color?: string | null;
}

function items<T>(x: unknown, key?: string): T[] {
  if (Array.isArray(x)) return x as T[];
  if (x && typeof x === "object") {
    const o = x as Record<string, unknown>;
    if (key) return Array.isArray(o[key]) ? (o[key] as T[]) : [];
    if (Array.isArray(o.items)) return o.items as T[];
  }
  return [];
}

/** Strips the control-character match marks search snippets carry. */
const plain = (s: string | undefined) => (s ?? "").replace(/[\u0002\u0003]/g, "");

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = React.useState(value);
  React.useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

/** The ⌘K dialog: mounted from the first opening on (command-palette.tsx), its content only while open. */
export function CommandPaletteDialog({ open, onOpenChange, onAssign, onShortcuts }: { open: boolean; onOpenChange: (open: boolean) => void; onAssign: () => void; onShortcuts: () => void }) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent hideClose className="top-[14%] max-w-xl gap-0 overflow-hidden p-0" aria-describedby="palette-help">
        <DialogTitle className="sr-only">Command palette</DialogTitle>
        <DialogDescription id="palette-help" className="sr-only">
          Type to search tasks, outputs, instructions, agents and messages; arrow keys choose, Enter opens.
        </DialogDescription>
        {open && (
          <Palette
            onDone={() => onOpenChange(false)}
            onAssign={() => {
              onOpenChange(false);
              onAssign();
            }}
            onShortcuts={onShortcuts}
          />
        )}
      </DialogContent>
    </Dialog>
  );
}

const goIcons: Record<string, typeof LayoutDashboard> = { o: LayoutDashboard, i: ListTodo, t: SquareKanban, r: CheckSquare, n: Inbox, a: Bot };

function Palette({ onDone, onAssign, onShortcuts }: { onDone: () => void; onAssign: () => void; onShortcuts: () => void }) {
  const router = useRouter();
  const { resolvedTheme, setTheme } = useTheme();
  const [q, setQ] = React.useState("");
  const dq = useDebounced(q.trim(), 200);

  const { tasks, instructions, agents, search } = usePaletteData(dq);

  const go = (href: string) => {
    onDone();
    router.push(href);
  };

  const taskItems = items<TaskLite>(tasks.data);
  const instItems = items<InstructionLite>(instructions.data);
  const agentItems = items<AgentLite>(agents.data);
  // Search everywhere: hits of every kind, best first, and a way to the search page with all of them.
  const hits = dq.length >= 2 ? (search.data?.items ?? []) : [];
  const idLike = /^(tsk_|inst_|out_|msg_)/i.test(q.trim()) ? q.trim() : null;

  const item =
    "flex cursor-default items-center gap-2.5 rounded-md px-2.5 py-1.5 text-sm aria-selected:bg-accent aria-selected:text-accent-foreground [&_svg]:size-4 [&_svg]:shrink-0 [&_svg]:text-muted-foreground";
  const group =
    "px-1.5 py-1 [&_[cmdk-group-heading]]:px-2.5 [&_[cmdk-group-heading]]:py-1 [&_[cmdk-group-heading]]:text-[11px] [&_[cmdk-group-heading]]:font-medium [&_[cmdk-group-heading]]:text-muted-foreground";

  return (
    <Command label="Command palette" loop className="flex max-h-[min(32rem,70vh)] w-full min-w-0 flex-col">
      <div className="flex items-center gap-2 border-b px-3">
        <Search aria-hidden className="size-4 text-muted-foreground" />
        <Command.Input
          value={q}
          onValueChange={setQ}
          placeholder="Jump to a task, instruction, agent or message…"
          aria-label="Search"
          className="h-11 flex-1 bg-transparent text-sm outline-none placeholder:text-muted-foreground"
        />
        <Kbd>Esc</Kbd>
      </div>
      <Command.List className="overflow-y-auto py-1">
        <Command.Empty className="px-4 py-8 text-center text-sm text-muted-foreground">{search.isFetching ? "Searching…" : "Nothing matches."}</Command.Empty>
        {idLike && (
          <Command.Group heading="Open by id" className={group}>
            <Command.Item
              value={`open ${idLike}`}
              keywords={[idLike]}
              className={item}
              onSelect={() =>
                go(idLike.startsWith("inst_") ? hrefs.instruction(idLike) : idLike.startsWith("out_") ? hrefs.output(idLike) : idLike.startsWith("tsk_") ? hrefs.task(idLike) : hrefs.inbox())
              }
            >
              <Search /> Open <span className="font-mono text-xs">{idLike}</span>
            </Command.Item>
          </Command.Group>
        )}
        <Command.Group heading="Go to" className={group}>
          {[...GO_TO.map((d) => ({ label: d.label, href: d.href, Icon: goIcons[d.key], key: `g ${d.key}` })), { label: "Search", href: "/search", Icon: Search, key: "" }].map(
            ({ label, href, Icon, key }) => (
              <Command.Item key={href} value={`go ${label}`} className={item} onSelect={() => go(href)}>
                <Icon /> {label}
                <span className="ml-auto text-[11px] text-muted-foreground">{key}</span>
              </Command.Item>
            ),
          )}
        </Command.Group>
        <Command.Group heading="Actions" className={group}>
          <Command.Item
            value="keyboard shortcuts help"
            className={item}
            onSelect={() => {
              onDone();
              onShortcuts();
            }}
          >
            <Keyboard /> Keyboard shortcuts
            <span className="ml-auto text-[11px] text-muted-foreground">?</span>
          </Command.Item>
          <Command.Item value="assign work task agent new" className={item} onSelect={onAssign} data-testid="palette-assign">
            <Plus /> Assign work…
          </Command.Item>
          <Command.Item value="new instruction create" className={item} onSelect={() => go(hrefs.newInstruction())}>
            <Plus /> New instruction
          </Command.Item>
          <Command.Item value="new task create form" className={item} onSelect={() => go(hrefs.newTask())}>
            <Plus /> New task
          </Command.Item>
          <Command.Item
            value="toggle theme dark light"
            className={item}
            onSelect={() => {
              setTheme(resolvedTheme === "dark" ? "light" : "dark");
              onDone();
            }}
          >
            <SunMoon /> Switch to {resolvedTheme === "dark" ? "light" : "dark"} theme
          </Command.Item>
        </Command.Group>
        {dq.length >= 2 && (
          <Command.Group heading="Search results" className={group} forceMount>
            {hits.map((h) => (
              <Command.Item
                key={`${h.kind}:${h.id}`}
                value={`hit ${h.kind} ${h.id} ${h.title}`}
                keywords={[dq]}
                className={item}
                onSelect={() => go(hitHref(h, dq))}
                data-testid={`palette-hit-${h.kind}-${h.id}`}
              >
                <KindIcon kind={h.kind} />
                <span className="min-w-0 flex-1">
                  <span className="block truncate">{plain(h.title)}</span>
                  {h.snippet && <span className="block truncate text-xs text-muted-foreground">{plain(h.snippet)}</span>}
                </span>
                <span className="ml-auto shrink-0 text-[11px] text-muted-foreground">{kindLabel[h.kind].one}</span>
              </Command.Item>
            ))}
            <Command.Item value={`see all results ${dq}`} keywords={[dq]} className={item} onSelect={() => go(searchHref({ q: dq }))} data-testid="palette-see-all">
              <Search /> See all results for “{dq}”
              {search.data && (
                <span className="ml-auto text-[11px] text-muted-foreground">
                  {Object.values(search.data.counts)
                    .reduce((a, b) => a + b, 0)
                    .toLocaleString()}
                  {search.data.more.length ? "+" : ""}
                </span>
              )}
            </Command.Item>
          </Command.Group>
        )}
        {taskItems.length > 0 && (
          <Command.Group heading="Tasks" className={group}>
            {taskItems.map((t) => (
              <Command.Item key={t.id} value={`task ${t.id} ${t.ref ?? ""} ${t.title} ${t.assignedAgent ?? ""}`} className={item} onSelect={() => go(hrefs.task(t.id))}>
                <StatusIcon status={t.status} />
                <span className="truncate">{t.title}</span>
                <span className="ml-auto shrink-0 font-mono text-[11px] text-muted-foreground">{t.assignedAgent}</span>
              </Command.Item>
            ))}
          </Command.Group>
        )}
        {instItems.length > 0 && (
          <Command.Group heading="Instructions" className={group}>
            {instItems.map((i) => (
              <Command.Item key={i.id} value={`instruction ${i.id} ${i.title}`} className={item} onSelect={() => go(hrefs.instruction(i.id))}>
                <FileText />
                <span className="truncate">{i.title}</span>
                <span className="ml-auto shrink-0 font-mono text-[11px] text-muted-foreground">{i.id}</span>
              </Command.Item>
            ))}
          </Command.Group>
        )}
        {agentItems.length > 0 && (
          <Command.Group heading="Agents" className={group}>
            {agentItems.map((a) => (
              <Command.Item key={a.name} value={`agent ${a.name} ${a.description ?? ""}`} className={item} onSelect={() => go(hrefs.agent(a.name))}>
                <AgentSwatch color={a.color} name={a.name} />
                <span className="truncate">{a.name}</span>
              </Command.Item>
            ))}
          </Command.Group>
        )}
      </Command.List>
      <div className="flex items-center gap-3 border-t px-3 py-1.5 text-[11px] text-muted-foreground">
        <span>
          <Kbd>↑</Kbd> <Kbd>↓</Kbd> choose
        </span>
        <span>
          <Kbd>↵</Kbd> open
        </span>
        <span className="ml-auto">
          <Kbd>j</Kbd> <Kbd>k</Kbd> move in lists
        </span>
      </div>
    </Command>
  );
}
