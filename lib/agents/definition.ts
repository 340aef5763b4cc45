import { z } from "zod";

// The name doubles as an inbox folder (`_communication/inbox/<name>/`) and a URL segment, so it
// must never carry a path separator, a dot-dot or an upper-case twin of another agent.
export const AGENT_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export const AgentName = z.string().regex(AGENT_NAME_PATTERN);
export type AgentName = z.infer<typeof AgentName>;

// Definitions are small prose files; anything bigger is a mistake (or a log pasted into agents/)
// and would bloat every task that copies its steps.
export const MAX_DEFINITION_BYTES = 1024 * 1024;

export const AgentStep = z.object({
  position: z.number().int().positive(),
  title: z.string().min(1),
  // Markdown as written, possibly several lines; empty when the item was a bare title.
  guidance: z.string(),
});
export type AgentStep = z.infer<typeof AgentStep>;

// Where the steps came from: "response_approach", or the slug of a fallback procedure heading
// ("review_priorities", "workflow", "process", "approach"); null when the file has none.
export const StepsSource = z.string().regex(/^[a-z0-9_]+$/).nullable();
export type StepsSource = z.infer<typeof StepsSource>;

// One of several alternative procedures of a definition: a `###` sub-heading of the Response
// Approach (or Workflow...) section with its own numbered list, one per kind of request
// ("### Bug fix", "### New endpoint"). A task follows one of them, never all in a row.
export const AgentWorkflow = z.object({
  // The sub-heading as written (bold and a trailing ":" removed), unique within the definition.
  name: z.string().min(1),
  steps: z.array(AgentStep).min(1),
});
export type AgentWorkflow = z.infer<typeof AgentWorkflow>;

export const MemoryPath = z.object({
  // A backticked path pattern when the bullet has one, otherwise the bullet's whole text
  // (some real files list things like "Design files, Figma specs").
  path: z.string().min(1),
  note: z.string().min(1).optional(),
});
export type MemoryPath = z.infer<typeof MemoryPath>;

export const MemoryOwnership = z.object({
  reads: z.array(MemoryPath),
  writes: z.array(MemoryPath),
});
export type MemoryOwnership = z.infer<typeof MemoryOwnership>;

export const AgentDefinition = z.object({
  name: AgentName,
  // First `# ` heading of the body, e.g. "Backend Developer Agent".
  title: z.string().nullable(),
  description: z.string().nullable(),
  tier: z.string().nullable(),
  domain: z.string().nullable(),
  model: z.string().nullable(),
  color: z.string().nullable(),
  capabilities: z.array(z.string().min(1)),
  tools: z.array(z.string().min(1)),
  // The steps a task of this agent gets by default: the procedure, or the first of its workflows.
  steps: z.array(AgentStep),
  stepsSource: StepsSource,
  // The alternative procedures when the steps section has several (at least two, the first one's
  // steps being `steps`); empty when the definition has a single procedure (or none).
  workflows: z.array(AgentWorkflow),
  memory: MemoryOwnership,
  // `@resources/...` references, without the "@", in order of first appearance.
  resources: z.array(z.string().min(1)),
  // Front matter keys we do not model (coordination_style, typical_questions...), kept so that
  // nothing a user wrote is lost.
  extra: z.record(z.string(), z.unknown()),
  // Markdown after the front matter.
  body: z.string(),
  sourcePath: z.string().min(1),
  // sha256 hex of the file text: a sync compares it instead of diffing every field.
  contentHash: z.string().regex(/^[0-9a-f]{64}$/),
});
export type AgentDefinition = z.infer<typeof AgentDefinition>;

// "error": the file was not loaded. "warning": it was loaded, but something deserves a look.
export const AgentProblemSeverity = z.enum(["error", "warning"]);
export type AgentProblemSeverity = z.infer<typeof AgentProblemSeverity>;

export const AgentProblem = z.object({
  // The definition file (or agents folder) concerned, as given to the parser / loader.
  file: z.string(),
  // What is wrong, without the file name; see formatAgentProblem for the one-line form.
  message: z.string(),
  severity: AgentProblemSeverity,
});
export type AgentProblem = z.infer<typeof AgentProblem>;

export function formatAgentProblem(problem: AgentProblem): string {
  const prefix = problem.severity === "warning" ? "warning: " : "";
  return `${problem.file}: ${prefix}${problem.message}`;
}
