import "server-only";
// Result files (`outputs/partial/{task_id}_result.yaml`) and the review records written beside them.
import type { OutputRow } from "@/db/schema";
import { agentNameOf, isDoc, iso, pathList, refOf, text, timeOf, wordOf, type Derived, type Doc } from "./model-common";
import { toYaml } from "./yaml";

export interface OutputFields {
  taskRef: string;
  format: OutputRow["format"];
  language: string | null;
  content: string;
  files: { path: string; action?: "created" | "modified" | "deleted" }[];
  submittedBy: string | null;
  createdAt: number | null;
  status: string | null;
}

const fileKeys = new Map<string, "created" | "modified" | "deleted">([
  ["files_created", "created"],
  ["files_to_create", "created"],
  ["files_modified", "modified"],
  ["files_to_modify", "modified"],
  ["files_changed", "modified"],
  ["files_deleted", "deleted"],
]);

/** Files a free-form result lists (`files_created`, `files_modified`... at any depth, as strings or `{path}`). */
function filesOf(doc: Doc): OutputFields["files"] {
  const out: OutputFields["files"] = [];
  const seen = new Set<string>();
  const stack: [unknown, number][] = [[doc, 0]];
  while (stack.length && out.length < 500) {
    const [v, depth] = stack.pop()!;
    if (depth > 6) continue;
    if (Array.isArray(v)) v.forEach((x) => stack.push([x, depth + 1]));
    else if (isDoc(v)) {
      for (const [k, x] of Object.entries(v)) {
        const action = fileKeys.get(k);
        if (action && Array.isArray(x)) {
          for (const p of pathList(x)) {
            const clean = p.replace(/\s+\((created|modified|deleted)[^)]*\)$/i, "");
            if (!seen.has(clean) && out.length < 500) {
              seen.add(clean);
              out.push({ path: clean, action });
            }
          }
        } else stack.push([x, depth + 1]);
      }
    }
  }
  return out;
}

const wrappedFormats = new Set(["markdown", "json", "code", "text"]);

/**
 * `outputs/partial/{task_id}_result.yaml`: the whole file is a YAML output version, unless it is an
 * export of a non-YAML output (`format:` + `content:`), which is unwrapped.
 */
export function deriveOutput(doc: Doc, rawText: string, fileName: string): Derived<OutputFields> {
  const stem = fileName.replace(/\.ya?ml$/, "").replace(/_result$/, "");
  const ref = doc.task_id !== undefined ? refOf(doc.task_id) : refOf(stem);
  if (!ref) return { ok: false, reason: `task id ${JSON.stringify(String(doc.task_id ?? stem).slice(0, 80))} is not usable` };
  const by = agentNameOf(doc.executed_by ?? doc.submitted_by ?? doc.agent, "executed_by");
  const wrapped = typeof doc.format === "string" && wrappedFormats.has(doc.format) && typeof doc.content === "string" && doc.content !== "";
  return {
    ok: true,
    warnings: by.ok ? [] : [`${by.reason}: recorded as submitted by the bridge`],
    fields: {
      taskRef: ref,
      format: wrapped ? (doc.format as OutputFields["format"]) : "yaml",
      language: wrapped ? (text(doc.language)?.slice(0, 40) ?? (doc.format === "code" ? "text" : null)) : null,
      content: wrapped ? (doc.content as string) : rawText,
      files: Array.isArray(doc.files) ? pathList(doc.files).map((path) => ({ path })) : filesOf(doc),
      submittedBy: by.ok ? by.name : null,
      createdAt: timeOf(doc.completed_at ?? doc.submitted_at ?? doc.timestamp),
      status: wordOf(doc.status),
    },
  };
}

export type OutputRecord = Pick<OutputRow, "version" | "format" | "language" | "content" | "files" | "status" | "submittedBy" | "createdAt"> & { taskRef: string; instructionId: string };

/** The text of a result file: a YAML output as it was handed in; any other format wrapped. */
export function renderOutput(o: OutputRecord): string {
  if (o.format === "yaml") return o.content;
  const doc: Doc = {
    task_id: o.taskRef,
    instruction_id: o.instructionId,
    executed_by: o.submittedBy,
    completed_at: iso(o.createdAt),
    status: o.status,
    version: o.version,
    format: o.format,
    ...(o.language ? { language: o.language } : {}),
    ...(o.files.length ? { files: o.files.map((f) => f.path) } : {}),
    content: o.content,
  };
  return toYaml(doc);
}

export interface ReviewRecord {
  id: string;
  instructionId: string;
  taskRef: string;
  outputVersion: number;
  decision: string;
  reviewer: string;
  comment: string;
  messageId: string | null;
  createdAt: number;
}

export function reviewFileName(r: ReviewRecord): string {
  const d = iso(r.createdAt);
  return `${d.slice(0, 4)}${d.slice(5, 7)}${d.slice(8, 10)}_${d.slice(11, 13)}${d.slice(14, 16)}${d.slice(17, 19)}_output_review_${r.taskRef}_v${r.outputVersion}.yaml`;
}

export function renderReview(r: ReviewRecord): string {
  return toYaml({
    type: "output_review",
    review_id: r.id,
    instruction_id: r.instructionId,
    task_id: r.taskRef,
    output_version: r.outputVersion,
    decision: r.decision,
    reviewer: r.reviewer,
    timestamp: iso(r.createdAt),
    ...(r.comment ? { comment: r.comment } : {}),
    ...(r.messageId ? { message_id: r.messageId } : {}),
  });
}
