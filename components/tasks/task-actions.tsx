"use client";
import * as React from "react";
import { Ban, Play, UserRoundCog } from "lucide-react";
import type { AgentSummary, TaskDetail } from "@/lib/services";
import { useTaskAction } from "@/lib/queries/tasks";
import { errorMessage } from "@/lib/queries/api";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Textarea } from "@/components/ui/textarea";
import { Select } from "@/components/ui/select";
import { Alert } from "@/components/ui/alert";

type Open = null | "cancel" | "unblock" | "reassign";

export function TaskActions({ task, agents }: { task: TaskDetail; agents: AgentSummary[] }) {
  const [open, setOpen] = React.useState<Open>(null);
  const [text, setText] = React.useState("");
  const [agent, setAgent] = React.useState("");
  const action = useTaskAction(task.id);
  const final = task.status === "completed" || task.status === "cancelled";
  const others = agents.filter((a) => a.name !== task.assignedAgent);

  const show = (o: Open) => {
    setText("");
    setAgent(others[0]?.name ?? "");
    action.reset();
    setOpen(o);
  };
  const run = (e: React.FormEvent) => {
    e.preventDefault();
    const done = { onSuccess: () => setOpen(null) };
    if (open === "cancel") action.mutate({ kind: "cancel", reason: text.trim() || undefined }, done);
    if (open === "unblock") action.mutate({ kind: "unblock", note: text.trim() || undefined }, done);
    if (open === "reassign" && agent) action.mutate({ kind: "reassign", agent }, done);
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
      <Dialog open={open !== null} onOpenChange={(o) => !o && setOpen(null)}>
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
              <Button variant="ghost" onClick={() => setOpen(null)}>
                Back
              </Button>
              <Button type="submit" variant={open === "cancel" ? "destructive" : "primary"} disabled={action.isPending} aria-busy={action.isPending}>
                {open === "cancel" ? "Cancel task" : open === "unblock" ? "Unblock" : "Reassign"}
              </Button>
            </DialogFooter>
          </form>
        </DialogContent>
      </Dialog>
    </>
  );
}
