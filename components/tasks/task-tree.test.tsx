import { describe, expect, it } from "vitest";
import { renderToStaticMarkup } from "react-dom/server";
import { nestTasks } from "@/components/instructions/nest-tasks";
import { TaskTree } from "./task-tree";

// The hierarchy of strategic and tactical tasks as the task page and the instruction page show it.

const progress = (done: number, total: number) => ({ total, done, skipped: 0, current: null });

describe("the task page's tree card", () => {
  it("links the parent and lists the children with status and step progress", () => {
    const html = renderToStaticMarkup(
      <TaskTree
        task={{
          parentTask: { id: "tsk_p", ref: "ST1", title: "Password reset flow", status: "in_progress", assignedAgent: "tech-lead" },
          children: [
            { id: "tsk_a", ref: "TT1.1", title: "Reset token endpoint", status: "completed", assignedAgent: "backend-developer", progress: progress(10, 10) },
            { id: "tsk_b", ref: "TT1.2", title: "Set the new password", status: "blocked", assignedAgent: "backend-developer", progress: progress(0, 0) },
          ],
        }}
      />,
    );
    expect(html).toContain('href="/tasks/tsk_p"');
    expect(html).toContain("ST1");
    expect(html).toContain("Sub-tasks · 1/2 completed");
    expect(html).toContain('aria-valuetext="10 of 10 steps"');
    expect(html).toContain("no steps");
  });

  it("shows nothing for a task on its own", () => {
    expect(renderToStaticMarkup(<TaskTree task={{ parentTask: null, children: [] }} />)).toBe("");
  });
});

describe("the instruction page's nesting", () => {
  it("puts sub-tasks right under their parent in the given order; an unknown parent or a loop stays flat", () => {
    const t = (id: string, parentTaskId: string | null = null) => ({ id, parentTaskId });
    const rows = nestTasks([t("ST2"), t("TT1.1", "ST1"), t("ST1"), t("TT1.1.a", "TT1.1"), t("X", "gone"), t("L1", "L2"), t("L2", "L1")]);
    expect(rows.map((r) => `${"  ".repeat(r.depth)}${r.task.id}`)).toEqual(["ST2", "ST1", "  TT1.1", "    TT1.1.a", "X", "L1", "  L2"]);
    expect(rows.find((r) => r.task.id === "ST1")?.children).toBe(1);
  });
});
