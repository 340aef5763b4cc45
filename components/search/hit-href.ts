import type { SearchAllHit } from "@/lib/services";
import { hrefs } from "@/lib/queries/links";

/** Where a hit opens: the task, the output's version, the instruction, the message in its thread. */
export function hitHref(hit: SearchAllHit, q?: string): string {
  const l = hit.links;
  switch (hit.kind) {
    case "task":
      return hrefs.task(l.taskId ?? hit.id);
    case "output":
      return hrefs.output(l.outputId ?? hit.id);
    case "instruction":
      return hrefs.instruction(l.instructionId ?? hit.id);
    case "message": {
      const query = q ? `?${new URLSearchParams({ q, in: "all" })}` : "";
      return `${hrefs.thread(hit.agent ?? "hitl", l.threadId ?? hit.id)}${query}#msg-${l.messageId ?? hit.id}`;
    }
  }
}

export const kindLabel: Record<SearchAllHit["kind"], { one: string; many: string }> = {
  task: { one: "Task", many: "Tasks" },
  output: { one: "Output", many: "Outputs" },
  instruction: { one: "Instruction", many: "Instructions" },
  message: { one: "Message", many: "Messages" },
};
