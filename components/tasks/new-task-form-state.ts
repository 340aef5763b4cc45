import { priorities } from "@/lib/domain/vocabulary";
/** The new-task form's values, their defaults, and the server's field errors mapped onto them. */

export const taskTypes = ["create", "modify", "analyze", "validate", "test"] as const;
export { priorities };

export interface FormState {
  instructionId: string;
  title: string;
  description: string;
  type: string;
  assignedAgent: string;
  /** One of the agent's alternative workflows ("": the first, its default). */
  workflow: string;
  acceptanceCriteria: string[];
  filesToModify: string[];
  filesToCreate: string[];
  dependsOn: string[];
  priority: string;
  authority: "autonomous" | "review_required";
  deadline: string;
}

export const emptyForm = (instructionId: string): FormState => ({
  instructionId,
  title: "",
  description: "",
  type: "create",
  assignedAgent: "",
  workflow: "",
  acceptanceCriteria: [""],
  filesToModify: [],
  filesToCreate: [],
  dependsOn: [],
  priority: "normal",
  authority: "review_required",
  deadline: "",
});

export type Errors = Record<string, string[]>;
const known = new Set([
  "instructionId",
  "title",
  "description",
  "type",
  "assignedAgent",
  "workflow",
  "acceptanceCriteria",
  "filesToModify",
  "filesToCreate",
  "dependsOn",
  "priority",
  "authority",
  "deadline",
]);

/** Problem `fields` may be keyed "acceptanceCriteria.2" or "filesToCreate[0]": group them by the form field. */
export function groupFieldErrors(fields: Record<string, string[]>): { byField: Errors; other: string[] } {
  const byField: Errors = {};
  const other: string[] = [];
  for (const [k, msgs] of Object.entries(fields)) {
    const root = k.split(/[.[]/)[0];
    if (known.has(root)) (byField[root] ??= []).push(...msgs);
    else other.push(...msgs.map((m) => `${k}: ${m}`));
  }
  return { byField, other };
}
