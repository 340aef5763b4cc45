import "server-only";
// The vocabulary every kind of protocol file shares: the document type, the scalar readers that
// normalise loose values (names, refs, times, priorities), and the derive/apply result shapes.
// Pure functions: no file system, no database.
import { isPriority, normalisePriority, type Priority } from "@/lib/domain/vocabulary";
import { INSTRUCTION_ID_PATTERN, PROTOCOL_AGENT_PATTERN, TASK_REF_PATTERN } from "@/lib/services/protocol";

export type Doc = Record<string, unknown>;
export const isDoc = (v: unknown): v is Doc => !!v && typeof v === "object" && !Array.isArray(v);

export const BRIDGE_NAME = "system:folder-bridge";
export const BROADCAST = "broadcast";
export const TASK_FOLDERS = ["pending", "in_progress", "completed", "blocked", "cancelled"] as const;
export type TaskFolder = (typeof TASK_FOLDERS)[number];

/* ---------------- scalars ---------------- */

export const str = (v: unknown): string | null => (typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : null);

/** A non-empty trimmed string, or null. */
export const text = (v: unknown): string | null => {
  const s = str(v);
  return s !== null && s.trim() !== "" ? s : null;
};

export function firstLine(s: string, max: number): string {
  const line =
    s
      .split("\n")
      .map((l) =>
        l
          .replace(/^[\s#>*\-•]+/, "")
          .replace(/\*\*/g, "")
          .trim(),
      )
      .find((l) => l !== "") ?? "";
  return line.length > max ? `${line.slice(0, max - 1).trimEnd()}…` : line;
}

export const humanise = (key: string): string => {
  const s = key.replace(/[_-]+/g, " ").trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
};

/** ISO-8601 (what the protocol writes) to epoch ms; anything else (`{timestamp}`, "3 days") is null. */
export function timeOf(v: unknown): number | null {
  if (typeof v !== "string" || !/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(v.trim())) return null;
  const s = v.trim();
  const ms = Date.parse(/T|\s/.test(s) && !/(Z|[+-]\d{2}:?\d{2})$/.test(s) ? `${s.replace(" ", "T")}Z` : s);
  return Number.isFinite(ms) ? ms : null;
}
export const iso = (ms: number): string => new Date(ms).toISOString();

/** A priority as a file writes it (any case, `medium`), canonical (lib/domain/vocabulary); null when it is none. */
export function priorityOf(v: unknown): Priority | null {
  // Checked again: normalisePriority reads its aliases from an object literal, where `constructor`
  // or `__proto__` would come back as Object's own members.
  const p = normalisePriority(str(v));
  return isPriority(p) ? p : null;
}

/** A lower-case word such as a task or message type (`Code Review` → `code_review`). */
export function wordOf(v: unknown): string | null {
  const s = str(v)
    ?.trim()
    .toLowerCase()
    .replace(/[\s-]+/g, "_");
  return s && /^[a-z][a-z0-9_]{0,39}$/.test(s) ? s : null;
}

export type NameResult = { ok: true; name: string | null } | { ok: false; reason: string };

/** Agent names hyphenated and lower case (`tech_lead` → `tech-lead`); null when the file says none. */
export function agentNameOf(v: unknown, what: string): NameResult {
  if (v === null || v === undefined || (typeof v === "string" && v.trim() === "")) return { ok: true, name: null };
  if (typeof v !== "string") return { ok: false, reason: `${what} is not a name` };
  const name = v
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, "-");
  if (!PROTOCOL_AGENT_PATTERN.test(name)) return { ok: false, reason: `${what} ${JSON.stringify(v.slice(0, 80))} is not a usable agent name` };
  return { ok: true, name };
}

export const refOf = (v: unknown): string | null => {
  const s = str(v)?.trim();
  return s && TASK_REF_PATTERN.test(s) ? s : null;
};
export const isInstructionId = (v: unknown): v is string => typeof v === "string" && INSTRUCTION_ID_PATTERN.test(v);

/** Items of a list as strings: `{T2: "login"}` reads `T2: login`; a lone string is a list of one. */
export function stringList(v: unknown, max = 500): string[] {
  const items = Array.isArray(v) ? v : typeof v === "string" ? [v] : [];
  const out: string[] = [];
  for (const item of items) {
    let s: string | null = null;
    if (typeof item === "string") s = item.trim();
    else if (typeof item === "number" || typeof item === "boolean") s = String(item);
    else if (isDoc(item)) {
      const entries = Object.entries(item);
      s = entries.length === 1 && str(entries[0][1]) !== null ? `${entries[0][0]}: ${str(entries[0][1])}` : JSON.stringify(item);
    }
    if (s) out.push(s.slice(0, 5000));
    if (out.length >= max) break;
  }
  return out;
}

/** Paths listed as strings or as `{path: ...}` entries. */
export function pathList(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  return v
    .map((x) => (typeof x === "string" ? x.trim() : isDoc(x) && typeof x.path === "string" ? x.path.trim() : ""))
    .filter((x) => x !== "")
    .map((x) => x.slice(0, 1000))
    .slice(0, 1000);
}

export const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

export type Derived<T> = { ok: true; fields: T; warnings: string[] } | { ok: false; reason: string };

export interface Applied {
  doc: Doc;
  /** Modelled fields the document disagreed on: the file is out of date. */
  hard: string[];
  /** Fields added for the round trip only (timestamps, ids): worth writing, not worth a rewrite. */
  soft: string[];
}
