import "server-only";
import { eq, sql } from "drizzle-orm";
import { agents, PEOPLE_INBOX } from "@/db/schema";
import { engineOf } from "@/db/engine";
import { isPeopleAlias } from "@/lib/domain/vocabulary";
import type { Actor } from "@/lib/auth/actor";
import type { Tx } from "../context";
import { ServiceError } from "../errors";
import { prepared } from "../prepared";

/*
 * An agent's Memory Ownership section (### Reads / ### Writes path patterns) turned into what the
 * agent may do, and the one place that checks it (docs/permissions.md). The standing rules
 * (lib/services/policy.ts: its own tasks, its own inbox) stay the ceiling: the patterns only narrow.
 *
 *   sends        Writes `Agent_Memory/_communication/inbox/<name>/`: `{agent}` or `*` any agent, a
 *                literal name that agent. The people's inbox is always allowed (escalation).
 *   outputs      Writes `Agent_Memory/{instruction_id}/outputs/partial/` (or `outputs/`).
 *   tasks        Reads or Writes `Agent_Memory/{instruction_id}/tasks/`; a literal instruction id
 *                limits it to that instruction's tasks.
 *   broadcasts   Writes `Agent_Memory/_communication/broadcast/` (the folder bridge only).
 *
 * A definition without the section, or whose section names no `Agent_Memory/` path, keeps the
 * defaults: everything the standing rules allow.
 */

// ---------------------------------------------------------------------------------------------
// Patterns

type Segment = { kind: "any" } | { kind: "rest" } | { kind: "placeholder" } | { kind: "literal"; text: string; re: RegExp | null };

interface Pattern {
  path: string;
  segments: Segment[];
}

/** Where a capability lives, with holes for what a pattern may pin down (`<inst>`, `<agent>`). */
const PLACES = {
  inbox: ["Agent_Memory", "_communication", "inbox", "<agent>"],
  broadcast: ["Agent_Memory", "_communication", "broadcast"],
  tasks: ["Agent_Memory", "<inst>", "tasks"],
  outputs: ["Agent_Memory", "<inst>", "outputs", "partial"],
} as const;

const globToRegExp = (glob: string, flags = ""): RegExp =>
  new RegExp(
    "^" +
      glob
        .split("*")
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*") +
      "$",
    flags,
  );

/** Protocol agent names: lower case, hyphenated (`tech_lead` → `tech-lead`), as the bridge stores them. */
const agentName = (s: string): string =>
  s
    .trim()
    .toLowerCase()
    .replace(/[_\s]+/g, "-");

function compile(raw: string): Pattern | null {
  let p = raw.trim().replace(/\\/g, "/").replace(/^\.\//, "").replace(/^\/+/, "");
  if (/^_communication\//.test(p)) p = `Agent_Memory/${p}`;
  const parts = p.split("/").filter((s) => s !== "");
  if (parts.length === 0 || parts[0]!.toLowerCase() !== "agent_memory") return null;
  const segments: Segment[] = parts.slice(1).map((s): Segment => {
    if (s === "**") return { kind: "rest" };
    if (s === "*") return { kind: "any" };
    if (/^(\{[^}]*\}|<[^>]*>)$/.test(s)) return { kind: "placeholder" };
    return { kind: "literal", text: s, re: s.includes("*") ? globToRegExp(s) : null };
  });
  return { path: raw.trim(), segments: [{ kind: "literal", text: "Agent_Memory", re: /^agent_memory$/i }, ...segments] };
}

/** What a pattern says of a hole: any value, or a literal (a glob for instructions). */
type Binding = { any: true } | { any: false; value: string };

/**
 * Does `pattern` cover `place` (one is a prefix of the other, segment by segment)? Returns the
 * binding of the place's hole (`{any}` when the pattern stops before it or has a placeholder there),
 * or null. A placeholder (`{instruction_id}`) never stands for a protocol folder (`_communication`).
 */
function cover(pattern: Pattern, place: readonly string[]): Binding | null | "no-hole" {
  let binding: Binding | "no-hole" = "no-hole";
  for (let i = 0; i < place.length; i++) {
    const want = place[i]!;
    const seg = pattern.segments[i];
    // The pattern stops here (or says `**`): it covers everything below, any value of a hole included.
    if (!seg || seg.kind === "rest") return binding === "no-hole" && place.slice(i).some((w) => w.startsWith("<")) ? { any: true } : binding;
    const hole = want.startsWith("<");
    if (hole) {
      if (seg.kind === "literal") {
        if (seg.text.startsWith("_")) return null;
        binding = { any: false, value: seg.text };
      } else binding = { any: true };
      continue;
    }
    if (seg.kind === "any") continue;
    if (seg.kind === "placeholder") {
      if (want.startsWith("_")) return null;
      continue;
    }
    if (seg.re ? !seg.re.test(want) : seg.text !== want) return null;
  }
  return binding;
}

// ---------------------------------------------------------------------------------------------
// Permissions

/** Instructions an agent may act in: any, or these globs (`inst_20260103_005`, `inst_2026*`). */
export type InstructionScope = "any" | string[];

export interface MemoryPermissions {
  agent: string;
  /** The definition file, as shown (agents/backend-developer.md), or null. */
  source: string | null;
  /** false: no Memory Ownership section naming an Agent_Memory path, so the defaults apply. */
  declared: boolean;
  /** Agents it may send to besides the people (always allowed): "any", or these names. */
  sendTo: "any" | string[];
  broadcast: boolean;
  /** Instructions whose tasks it hands in outputs for ([] = none). */
  outputs: InstructionScope;
  /** Instructions whose tasks it works on ([] = none). */
  tasks: InstructionScope;
  /** Reads naming inboxes other than its own: they cannot widen (an agent reads its own inbox only). */
  otherInboxReads: string[];
}

/** The serialisable view for pages and the API (the agent DTO's `permissions`). */
export type PermissionsView = Omit<MemoryPermissions, "agent" | "source">;

const DEFAULTS = { declared: false, sendTo: "any", broadcast: true, outputs: "any", tasks: "any", otherInboxReads: [] } as const satisfies PermissionsView;

function scopeOf(patterns: Pattern[], place: readonly string[]): InstructionScope {
  const ids = new Set<string>();
  for (const p of patterns) {
    const b = cover(p, place);
    if (b === null || b === "no-hole") continue;
    if (b.any) return "any";
    ids.add(b.value);
  }
  return [...ids];
}

/** The permissions a Memory Ownership section grants (pure: the agent page uses it too). */
export function derivePermissions(memory: { reads: { path: string }[]; writes: { path: string }[] } | null | undefined, agent = "", source: string | null = null): MemoryPermissions {
  const reads = (memory?.reads ?? []).map((m) => compile(m.path)).filter((p): p is Pattern => p !== null);
  const writes = (memory?.writes ?? []).map((m) => compile(m.path)).filter((p): p is Pattern => p !== null);
  if (reads.length === 0 && writes.length === 0) return { agent, source, ...DEFAULTS, otherInboxReads: [] };
  const inboxes = scopeOf(writes, PLACES.inbox);
  const sendTo = inboxes === "any" ? "any" : [...new Set(inboxes.map(agentName).filter((n) => !isPeopleAlias(n)))].sort();
  const readInboxes = scopeOf(reads, PLACES.inbox);
  const otherInboxReads = readInboxes === "any" ? ["any agent"] : [...new Set(readInboxes.map(agentName))].filter((n) => n !== agent && !isPeopleAlias(n)).sort();
  return {
    agent,
    source,
    declared: true,
    sendTo,
    broadcast: writes.some((p) => cover(p, PLACES.broadcast) !== null),
    outputs: scopeOf(writes, PLACES.outputs),
    tasks: scopeOf([...reads, ...writes], PLACES.tasks),
    otherInboxReads,
  };
}

export function permissionsView(p: MemoryPermissions): PermissionsView {
  const { agent: _agent, source: _source, ...view } = p;
  return view;
}

const inScope = (scope: InstructionScope, instructionId: string): boolean => scope === "any" || scope.some((g) => (g.includes("*") ? globToRegExp(g).test(instructionId) : g === instructionId));

const list = (xs: string[]) => (xs.length <= 1 ? (xs[0] ?? "") : `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}`);

/** "it may send to frontend-developer and the people" and the like: what the refusal tells the agent. */
export function describeSends(p: Pick<MemoryPermissions, "sendTo">): string {
  if (p.sendTo === "any") return "it may send to any agent and the people";
  if (p.sendTo.length === 0) return "it may send only to the people";
  return `it may send to ${list([...p.sendTo, "the people"])}`;
}

function describeScope(scope: InstructionScope, what: string, none: string): string {
  if (scope === "any") return `it ${what} in any instruction`;
  if (scope.length === 0) return none;
  return `it ${what} only in ${list(scope)}`;
}

type Section = "writes" | "reads_or_writes";

function refuse(p: MemoryPermissions, section: Section, needed: string, why: string): ServiceError {
  const where = `${p.source ?? "its definition"}, ${section === "writes" ? "Writes" : "Reads or Writes"}`;
  return new ServiceError("forbidden", `Memory Ownership of ${p.agent} (${where}) does not include ${needed}: ${why}`, {
    details: { rule: "memory_ownership", agent: p.agent, section, needed },
  });
}

// ---------------------------------------------------------------------------------------------
// The per-agent cache: no query on the hot paths (claim, step). Dropped on any agent.* event written
// in this process (writeTx calls invalidateMemoryPermissions) and when another connection committed
// (the engine's change version, read at most once a millisecond per connection, as auth-cache.ts does): a
// definition synced by the CLI takes effect at once.

const stateKey = Symbol.for("agentdesk.memory-permissions");
type State = { epoch: number; byConn: WeakMap<object, { epoch: number; version: number | null; checkedAt: number; perms: Map<string, MemoryPermissions> }> };
type G = typeof globalThis & { [stateKey]?: State };
const state = (): State => ((globalThis as G)[stateKey] ??= { epoch: 0, byConn: new WeakMap() });

/** Forgets every agent's derived permissions (an agent was added, updated or deactivated). */
export function invalidateMemoryPermissions(): void {
  state().epoch++;
}

const selectMemory = (tx: Tx) =>
  prepared(tx, "agents.memoryOwnership", (d) =>
    d
      .select({ memory: agents.memory, sourcePath: agents.sourcePath })
      .from(agents)
      .where(eq(agents.name, sql.placeholder("name")))
      .prepare(),
  );

function changeVersion(tx: Tx): number | null {
  const engine = engineOf(tx);
  return engine.open ? engine.changeVersion() : null;
}

/** A stored definition path as shown: relative as synced, else its folder and file name. */
const shownSource = (p: string | null): string | null =>
  p && (p.startsWith("/") || /^[A-Za-z]:[\\/]/.test(p))
    ? p
        .split(/[\\/]+/)
        .filter(Boolean)
        .slice(-2)
        .join("/")
    : p;

/** The agent's permissions, derived once per definition and connection. An unknown agent has the defaults. */
export function permissionsOf(tx: Tx, agent: string): MemoryPermissions {
  const session = (tx as unknown as { session?: object }).session ?? tx;
  const st = state();
  let c = st.byConn.get(session);
  const now = performance.now();
  if (!c || c.epoch !== st.epoch) st.byConn.set(session, (c = { epoch: st.epoch, version: c?.version ?? null, checkedAt: -Infinity, perms: new Map() }));
  if (now - c.checkedAt >= 1 || now < c.checkedAt) {
    c.checkedAt = now;
    const v = changeVersion(tx);
    if (c.version !== null && v !== c.version) c.perms.clear();
    c.version = v;
  }
  let p = c.perms.get(agent);
  if (!p) {
    const row = selectMemory(tx).get({ name: agent });
    p = derivePermissions(row?.memory, agent, shownSource(row?.sourcePath ?? null));
    if (c.perms.size >= 10_000) c.perms.clear();
    c.perms.set(agent, p);
  }
  return p;
}

// ---------------------------------------------------------------------------------------------
// The checks. Each throws 403 forbidden naming the rule; callers run them before writing anything.

const inboxPath = (name: string) => `Agent_Memory/_communication/inbox/${name}/`;
const BROADCAST_PATH = "Agent_Memory/_communication/broadcast/";

/** May `agent` put a message in `inbox` (an agent, the people, or the bridge's `broadcast`)? */
export function requireInboxWrite(tx: Tx, agent: string, inbox: string, opts: { broadcastInbox?: string } = {}): void {
  if (inbox === PEOPLE_INBOX || isPeopleAlias(inbox)) return; // escalation: the protocol's safety valve
  const p = permissionsOf(tx, agent);
  if (!p.declared) return;
  if (opts.broadcastInbox !== undefined && inbox === opts.broadcastInbox) {
    if (!p.broadcast) throw refuse(p, "writes", BROADCAST_PATH, "it does not post broadcasts");
    return;
  }
  if (inScope(p.sendTo, inbox)) return;
  throw refuse(p, "writes", inboxPath(inbox), describeSends(p));
}

/** An agent actor sending (or replying) to `to` (already resolved: the people's inbox or an agent). */
export function requireSend(tx: Tx, actor: Actor, to: string): void {
  if (actor.kind === "agent") requireInboxWrite(tx, actor.name, to);
}

/** May `agent` work on a task of `instructionId` (claim, heartbeat, steps, activity, complete, block)? */
export function requireTaskWork(tx: Tx, agent: string, instructionId: string): void {
  const p = permissionsOf(tx, agent);
  if (!p.declared || inScope(p.tasks, instructionId)) return;
  throw refuse(p, "reads_or_writes", `Agent_Memory/${instructionId}/tasks/`, describeScope(p.tasks, "works on tasks", "it does not work on tasks"));
}

/**
 * Assigning: a person gives `agent` a task of `instructionId`. Refused (422 on the agent field, not
 * 403: the person may assign, the agent may not take it) when the agent's Memory Ownership does not
 * let it work on that instruction's tasks, so nobody assigns work its agent would be refused.
 */
export function requireAssignable(tx: Tx, agent: string, instructionId: string, field: string): void {
  try {
    requireTaskWork(tx, agent, instructionId);
  } catch (err) {
    if (!(err instanceof ServiceError)) throw err;
    throw new ServiceError("validation_failed", `${agent} cannot take this task: ${err.message}`, { fields: { [field]: [err.message] }, details: err.details });
  }
}

/**
 * The instructions whose tasks the agent may claim next: null for any; otherwise globs (SQLite GLOB
 * patterns: a literal id matches itself). Refused outright when it may work on none.
 */
export function taskWorkScope(tx: Tx, actor: Actor): string[] | null {
  if (actor.kind !== "agent") return null;
  const p = permissionsOf(tx, actor.name);
  if (!p.declared || p.tasks === "any") return null;
  if (p.tasks.length === 0) throw refuse(p, "reads_or_writes", "Agent_Memory/{instruction_id}/tasks/", "it does not work on tasks");
  return p.tasks;
}

/** May `agent` hand in an output for a task of `instructionId`? */
export function requireOutputWrite(tx: Tx, agent: string, instructionId: string): void {
  const p = permissionsOf(tx, agent);
  if (!p.declared || inScope(p.outputs, instructionId)) return;
  throw refuse(p, "writes", `Agent_Memory/${instructionId}/outputs/partial/`, describeScope(p.outputs, "hands in outputs", "it does not hand in outputs"));
}
