"use client";
import * as React from "react";
import type { AgentSummary, TaskDetail } from "@/lib/services";
import { useTaskAction } from "@/lib/queries/tasks";
import { errorMessage } from "@/lib/queries/api";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Textarea } from "@/components/ui/textarea";
import { Select } from "@/components/ui/select";
import { Alert } from "@/components/ui/alert";

export type TaskAction = "cancel" | "unblock" | "reassign";

/** Cancel, unblock or reassign a task, with its reason, note or new agent (task-actions.tsx opens it). */
export function TaskActionDialog({ open, onClose, task, others }: { open: TaskAction | null; onClose: () => void; task: TaskDetail; others: AgentSummary[] }) {
  const [text, setText] = React.useState("");
  const [agent, setAgent] = React.useState(others[0]?.name ?? "");
  const action = useTaskAction(task.id);

  const run = (e: React.FormEvent) => {
    e.preventDefault();
    const done = { onSuccess: onClose };
    if (open === "cancel") action.mutate({ kind: "cancel", reason: text.trim() || undefined }, done);
    if (open === "unblock") action.mutate({ kind: "unblock", note: text.trim() || undefined }, done);
    if (open === "reassign" && agent) action.mutate({ kind: "reassign", agent }, done);
  };

  return (
    <Dialog open={open !== null} onOpenChange={(o) => !o && onClose()}>
      <DialogContent>
        <form onSubmit={run} className="grid gap-3">
          <DialogHeader>
            <DialogTitle>{open === "cancel" ? "Cancel this task" : open === "unblock" ? "Unblock this task" : "Reassign this task"}</DialogTitle>
            <DialogDescription>
              {open === "cancel"
                ? "The agent stops; the task and its steps stay in the history."
                : open === "unblock"
                  ? "The task goes back to in progress and its blocked step resumes."
                  : task.progress.done + task.progress.skipped > 0 || task.progress.current
                    ? "The task goes back to pending for the new agent. Steps already walked are kept as history."
                    : "The task goes back to pending with the new agent's Response Approach steps."}
            </DialogDescription>
          </DialogHeader>
          {action.error && (
            <Alert tone="error" role="alert">
              {errorMessage(action.error)}
            </Alert>
          )}
          {open === "reassign" ? (
            <Field id="reassign-agent" label="New agent" required>
              <Select id="reassign-agent" value={agent} onChange={(e) => setAgent(e.target.value)} autoFocus>
                {others.map((a) => (
                  <option key={a.name} value={a.name}>
                    {a.name} — {a.load.open} open
                  </option>
                ))}
              </Select>
            </Field>
          ) : (
            <Field id="action-text" label={open === "cancel" ? "Reason (optional)" : "Note for the agent (optional)"}>
              <Textarea id="action-text" rows={3} value={text} onChange={(e) => setText(e.target.value)} autoFocus />
            </Field>
          )}
          <DialogFooter>
            <Button variant="ghost" onClick={onClose}>
              Back
            </Button>
            <Button type="submit" variant={open === "cancel" ? "destructive" : "primary"} disabled={action.isPending} aria-busy={action.isPending}>
              {open === "cancel" ? "Cancel task" : open === "unblock" ? "Unblock" : "Reassign"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
