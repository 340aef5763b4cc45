import "server-only";
// Instruction folders (`{inst_id}/instruction.yaml`, `status.yaml`, `workflow/plan.yaml`).
import type { InstructionRow } from "@/db/schema";
import { instructionPhases, type Priority } from "@/lib/domain/vocabulary";
import { BRIDGE_NAME, firstLine, humanise, iso, priorityOf, str, text, timeOf, wordOf, type Doc } from "./model-common";

export interface InstructionBundle {
  id: string;
  instruction?: Doc;
  status?: Doc;
  plan?: Doc;
}

export interface InstructionFields {
  title: string;
  body: string;
  tier: number;
  priority: Priority;
  phase: (typeof instructionPhases)[number];
  createdBy: string;
  createdAt: number | null;
  updatedAt: number | null;
}

const tierOf = (v: unknown): number | null => (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 4 ? v : null);
function phaseOf(v: unknown): InstructionFields["phase"] | null {
  const s = wordOf(v);
  return s && (instructionPhases as readonly string[]).includes(s) ? (s as InstructionFields["phase"]) : null;
}
// Maps, not object literals: the words come from the files (`status: constructor` is not a phase).
const workflowPhase = new Map<string, InstructionFields["phase"]>([
  ["completed", "completed"],
  ["failed", "failed"],
  ["blocked", "blocked"],
]);

/** instruction.yaml + status.yaml (+ plan.yaml's tier): title from raw_input or intent, phase from current_phase or phase. */
export function deriveInstruction(b: InstructionBundle): InstructionFields {
  const i = b.instruction ?? {};
  const s = b.status ?? {};
  const p = b.plan ?? {};
  const raw = text(i.raw_input);
  const title = text(i.title)?.trim() || (raw ? firstLine(raw, 200) : "") || (text(i.intent) ? humanise(String(i.intent)) : "") || b.id;
  return {
    title: title.slice(0, 200),
    body: str(i.raw_input) ?? str(i.body) ?? str(i.description) ?? "",
    tier: tierOf(s.tier) ?? tierOf(i.tier) ?? tierOf(p.tier) ?? 1,
    priority: priorityOf(i.priority) ?? "normal",
    phase: phaseOf(s.current_phase) ?? phaseOf(s.phase) ?? workflowPhase.get(wordOf(s.status) ?? "") ?? "routing",
    createdBy: text(i.created_by)?.trim().slice(0, 200) ?? BRIDGE_NAME,
    createdAt: timeOf(i.created_at) ?? timeOf(s.created_at) ?? timeOf(p.created_at),
    updatedAt: timeOf(s.updated_at),
  };
}

export type InstructionRecord = Pick<InstructionRow, "id" | "title" | "body" | "tier" | "priority" | "phase" | "createdBy" | "createdAt" | "updatedAt">;

/** instruction.yaml and status.yaml of an instruction born in AgentDesk. */
export function freshInstructionDocs(r: InstructionRecord): { instruction: Doc; status: Doc } {
  return {
    instruction: { id: r.id, created_at: iso(r.createdAt), created_by: r.createdBy, title: r.title, raw_input: r.body, priority: r.priority },
    status: { instruction_id: r.id, current_phase: r.phase, tier: r.tier, created_at: iso(r.createdAt), updated_at: iso(r.updatedAt) },
  };
}

/**
 * Writes an instruction's modelled fields back into instruction.yaml and status.yaml. A document the
 * folder did not have is created only when it has something to say.
 */
export function applyInstruction(b: InstructionBundle, r: InstructionRecord): { instruction?: Doc; status?: Doc; hard: string[]; soft: string[] } {
  const cur = deriveInstruction(b);
  const inst: Doc = { ...(b.instruction ?? {}) };
  const stat: Doc = { ...(b.status ?? {}) };
  const hard: string[] = [];
  const soft: string[] = [];
  let touchI = false;
  let touchS = false;
  const setI = (field: string, key: string, value: unknown, isSoft = false) => {
    inst[key] = value;
    touchI = true;
    (isSoft ? soft : hard).push(field);
  };
  const setS = (field: string, key: string, value: unknown) => {
    stat[key] = value;
    touchS = true;
    hard.push(field);
  };
  if (cur.title !== r.title) setI("title", "title", r.title);
  if (cur.body !== r.body) setI("body", "raw_input" in inst || !("body" in inst) ? "raw_input" : "body", r.body);
  if (cur.priority !== r.priority) setI("priority", "priority", r.priority);
  if (cur.createdAt !== r.createdAt) setI("createdAt", "created_at", iso(r.createdAt), cur.createdAt === null);
  if (cur.createdBy !== r.createdBy) setI("createdBy", "created_by", r.createdBy, true);
  if (cur.tier !== r.tier) setS("tier", "tier", r.tier);
  if (cur.phase !== r.phase) setS("phase", "phase" in stat && !("current_phase" in stat) ? "phase" : "current_phase", r.phase);
  const out: { instruction?: Doc; status?: Doc; hard: string[]; soft: string[] } = { hard, soft };
  if (touchI) out.instruction = b.instruction ? inst : { id: r.id, ...inst };
  if (touchS) out.status = b.status ? stat : { instruction_id: r.id, ...stat };
  return out;
}
