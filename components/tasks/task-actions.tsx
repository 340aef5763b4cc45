"use client";
import * as React from "react";
import dynamic from "next/dynamic";
import { Ban, Play, UserRoundCog } from "lucide-react";
import type { AgentSummary, TaskDetail } from "@/lib/services";
import { Button } from "@/components/ui/button";
import type { TaskAction } from "./task-action-dialog";

// The dialog (the reason, the note or the new agent, and the call) loads when first opened.
const TaskActionDialog = dynamic(() => import("./task-action-dialog").then((m) => m.TaskActionDialog), { ssr: false });

export function TaskActions({ task, agents }: { task: TaskDetail; agents: AgentSummary[] }) {
  const [open, setOpen] = React.useState<TaskAction | null>(null);
  // Each opening is a fresh form (its own text, agent and call state): the dialog is keyed by it.
  const [openings, setOpenings] = React.useState(0);
  const final = task.status === "completed" || task.status === "cancelled";
  const others = agents.filter((a) => a.name !== task.assignedAgent);

  const show = (o: TaskAction) => {
    setOpenings((n) => n + 1);
    setOpen(o);
  };

  if (final) return null;
  return (
    <>
      {task.status === "blocked" && (
        <Button variant="primary" size="sm" onClick={() => show("unblock")} data-testid="unblock-task">
          <Play /> Unblock
        </Button>
      )}
      <Button size="sm" variant="outline" onClick={() => show("reassign")} disabled={others.length === 0} data-testid="reassign-task">
        <UserRoundCog /> Reassign
      </Button>
      <Button size="sm" variant="outline" onClick={() => show("cancel")} data-testid="cancel-task" className="text-status-failed">
        <Ban /> Cancel
      </Button>
      {openings > 0 && <TaskActionDialog key={openings} open={open} onClose={() => setOpen(null)} task={task} others={others} />}
    </>
  );
}
