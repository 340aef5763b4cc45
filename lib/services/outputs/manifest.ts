import "server-only";
// Completion manifests of the folder protocol (`{inst}/outputs/partial/{task_id}/manifest.yaml`): kept
// by the folder bridge as a document of the instruction (lib/protocol), read here as a checklist
// against the task's acceptance criteria for the output review page.
import { sql } from "drizzle-orm";
import { instructions } from "@/db/schema";
import { dialect } from "@/db/engine";
import { parseDocument } from "yaml";
import type { ServiceContext } from "../context";

export type CriterionVerdict = "met" | "not_met" | "partial" | "not_verified";

export interface ChecklistItem {
  criterion: string;
  verdict: CriterionVerdict;
  evidence: string | null;
}

export interface CompletionChecklist {
  /** Where the manifest is, relative to the Agent_Memory root's instruction folder. */
  path: string;
  /** One per acceptance criterion of the task, in its order; a criterion the manifest does not mention is not verified. */
  items: ChecklistItem[];
  /** Entries of the manifest that match no acceptance criterion. */
  extra: ChecklistItem[];
  outputsCreated: string[];
  /** `quality_checks_passed`, `quality_checks_failed`... each as a labelled list. */
  qualityChecks: { name: string; items: string[] }[];
  outstandingWork: string[];
  issuesEncountered: string[];
  /** The manifest is there but cannot be read (then the checklist shows every criterion as not verified). */
  problem: string | null;
}

type Doc = Record<string, unknown>;
const isDoc = (v: unknown): v is Doc => !!v && typeof v === "object" && !Array.isArray(v);
const words = (v: unknown) => (typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : "");
const norm = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();

// Maps, not object literals: the words come from the files.
const verdictWords = new Map<string, CriterionVerdict>([
  ["met", "met"],
  ["pass", "met"],
  ["passed", "met"],
  ["done", "met"],
  ["yes", "met"],
  ["true", "met"],
  ["verified", "met"],
  ["not met", "not_met"],
  ["unmet", "not_met"],
  ["fail", "not_met"],
  ["failed", "not_met"],
  ["no", "not_met"],
  ["false", "not_met"],
  ["partial", "partial"],
  ["partially met", "partial"],
]);
const verdictOf = (v: unknown): CriterionVerdict => verdictWords.get(norm(words(v))) ?? "not_verified";

/** A list of strings from a list of strings or of small mappings (`{path: ..}`, `{description: ..}`). */
function lines(v: unknown): string[] {
  const items = Array.isArray(v) ? v : isDoc(v) ? Object.entries(v).map(([k, x]) => (words(x) ? `${k}: ${words(x)}` : k)) : words(v) ? [words(v)] : [];
  return items
    .map((x) => (isDoc(x) ? words(x.path ?? x.description ?? x.issue ?? x.item ?? x.name ?? x.check) || JSON.stringify(x) : words(x)))
    .filter((x) => x.trim() !== "")
    .slice(0, 200);
}

/** `completion_verification` as a list of `{criterion, status, evidence}`, or a mapping criterion → status or `{status, evidence}`. */
function entriesOf(v: unknown): ChecklistItem[] {
  const out: ChecklistItem[] = [];
  const push = (criterion: string, body: unknown) => {
    const b = isDoc(body) ? body : { status: body };
    const evidence = b.evidence ?? b.notes ?? b.proof;
    out.push({ criterion, verdict: verdictOf(b.status ?? b.result ?? b.verdict ?? b.met), evidence: Array.isArray(evidence) ? lines(evidence).join("\n") : words(evidence) || null });
  };
  if (Array.isArray(v)) {
    for (const e of v) if (isDoc(e)) push(words(e.criterion ?? e.criteria ?? e.description ?? e.name ?? e.id), e);
  } else if (isDoc(v)) for (const [k, e] of Object.entries(v)) push(isDoc(e) && words(e.criterion) ? words(e.criterion) : k, e);
  return out.filter((e) => e.criterion.trim() !== "").slice(0, 500);
}

/** The checklist of a manifest's text against the task's acceptance criteria. */
export function completionChecklist(text: string, criteria: readonly string[], path: string): CompletionChecklist {
  const empty: CompletionChecklist = {
    path,
    items: criteria.map((criterion) => ({ criterion, verdict: "not_verified", evidence: null })),
    extra: [],
    outputsCreated: [],
    qualityChecks: [],
    outstandingWork: [],
    issuesEncountered: [],
    problem: null,
  };
  // The bridge stored this text only after its own checks (lib/protocol/yaml.ts: size, aliases, depth); parsed again with the alias cap.
  let value: unknown;
  try {
    const d = parseDocument(text, { uniqueKeys: true });
    if (d.errors.length) return { ...empty, problem: `invalid YAML: ${d.errors[0].message.split("\n")[0]}` };
    value = d.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return { ...empty, problem: `invalid YAML: ${(err as Error).message.split("\n")[0]}` };
  }
  if (!isDoc(value)) return { ...empty, problem: "the manifest is not a mapping of fields" };
  const doc = value;
  const entries = entriesOf(doc.completion_verification);
  const used = new Set<number>();
  const items = criteria.map((criterion, i): ChecklistItem => {
    const n = norm(criterion);
    // The same words, else the entry at the same position named AC{n} / {n}.
    let at = entries.findIndex((e, j) => !used.has(j) && norm(e.criterion) === n);
    if (at === -1) at = entries.findIndex((e, j) => !used.has(j) && new RegExp(`^(ac|criterion|c)?\\s*${i + 1}$`).test(norm(e.criterion)));
    if (at === -1) return { criterion, verdict: "not_verified", evidence: null };
    used.add(at);
    return { ...entries[at], criterion };
  });
  return {
    ...empty,
    items,
    extra: entries.filter((_, j) => !used.has(j)),
    outputsCreated: lines(doc.outputs_created),
    qualityChecks: Object.keys(doc)
      .filter((k) => k.startsWith("quality_checks"))
      .map((k) => ({ name: k.replace(/^quality_checks_?/, "").replace(/_/g, " ") || "quality checks", items: lines(doc[k]) })),
    outstandingWork: lines(doc.outstanding_work),
    issuesEncountered: lines(doc.issues_encountered),
  };
}

/** The manifest of a task (`outputs/partial/{ref}/manifest.yaml` among its instruction's documents), or null. */
export function taskManifest(ctx: ServiceContext, t: { instructionId: string; ref: string; acceptanceCriteria: string[] }): CompletionChecklist | null {
  const docPath = `outputs/partial/${t.ref}/manifest.yaml`;
  // One document out of the instruction's kept files, not all of them.
  const row = ctx.db.get<{ text: string | null }>(
    sql`SELECT ${dialect(ctx.db).jsonText(instructions.original, ["documents", docPath])} AS text FROM ${instructions} WHERE ${instructions.id} = ${t.instructionId}`,
  );
  if (!row || typeof row.text !== "string") return null;
  return completionChecklist(row.text, t.acceptanceCriteria, docPath);
}
