"use client";
import * as React from "react";
import { useRouter } from "next/navigation";
import { toast } from "sonner";
import { isApiError } from "@/lib/queries/api";
import { hrefs } from "@/lib/queries/links";
import { useAgentSummaries } from "@/lib/queries/agents";
import { useAssignInstructions, useAssignWork, type Assignment } from "@/lib/queries/assignments";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Field, describedBy } from "@/components/ui/field";
import { Textarea } from "@/components/ui/textarea";
import { Button } from "@/components/ui/button";
import { Kbd } from "@/components/ui/kbd";
import { FormError, SelectField } from "@/components/forms/fields";
import { priorities } from "./new-task-form-state";

/** The instructions offered, as in the new-task sheet: open ones (a failed one takes no task; a completed one would reopen). */
const isOpen = (phase: string | undefined) => phase !== "failed" && phase !== "completed";

/**
 * Assign in one move (POST /api/v1/assignments): what is needed, the agent, and optionally the
 * instruction; without one, a new instruction is made from the same text (its first line is the
 * title). Opened from the command palette and the agent page; the form mounts fresh on each open.
 */
export function AssignWorkDialog({ open, onOpenChange, agent, instructionId }: { open: boolean; onOpenChange: (open: boolean) => void; agent?: string; instructionId?: string }) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="top-[10%] max-w-lg" aria-describedby="assign-work-desc" data-testid="assign-work-dialog">
        <DialogHeader>
          <DialogTitle>Assign work</DialogTitle>
          <DialogDescription id="assign-work-desc">Say what is needed and who does it. Without an instruction, a new one is made from the same text.</DialogDescription>
        </DialogHeader>
        {open && <AssignWorkForm agent={agent} instructionId={instructionId} onDone={() => onOpenChange(false)} />}
      </DialogContent>
    </Dialog>
  );
}

type Errors = Record<string, string[]>;
const formFields = new Set(["text", "assignedAgent", "instructionId", "priority"]);

function AssignWorkForm({ agent, instructionId, onDone }: { agent?: string; instructionId?: string; onDone: () => void }) {
  const router = useRouter();
  const agents = useAgentSummaries();
  const instructions = useAssignInstructions();
  const [text, setText] = React.useState("");
  const [assignedAgent, setAgent] = React.useState(agent ?? "");
  const [instruction, setInstruction] = React.useState(instructionId ?? "");
  const [priority, setPriority] = React.useState("normal");
  const [errors, setErrors] = React.useState<Errors>({});
  const [formError, setFormError] = React.useState<string | null>(null);

  const assign = useAssignWork({
    onSuccess: ({ task, instructionCreated }: Assignment) => {
      toast.success(`Task ${task.ref} assigned to ${task.assignedAgent}`, {
        description: instructionCreated ? `${task.title} · new instruction ${task.instructionId}` : task.title,
        action: { label: "Open", onClick: () => router.push(hrefs.task(task.id)) },
      });
      onDone();
    },
    onError: (err) => {
      const fields = isApiError(err) ? (err.fields ?? {}) : {};
      const byField: Errors = {};
      const other: string[] = [];
      for (const [k, v] of Object.entries(fields)) {
        const root = k.split(/[.[]/)[0];
        if (formFields.has(root)) (byField[root] ??= []).push(...v);
        else other.push(...v.map((m) => `${k}: ${m}`));
      }
      setErrors(byField);
      setFormError([isApiError(err) ? err.detail : "Could not assign the work", ...other].join(" "));
    },
  });

  const agentList = agents.data ?? [];
  const instructionList = (instructions.data?.items ?? []).filter((i) => isOpen(i.phase) || i.id === instructionId);

  const submit = (e?: React.FormEvent) => {
    e?.preventDefault();
    const errs: Errors = {};
    if (!text.trim()) errs.text = ["Say what is needed"];
    if (!assignedAgent) errs.assignedAgent = ["Choose an agent"];
    setErrors(errs);
    setFormError(null);
    if (Object.keys(errs).length) {
      document.getElementById(errs.text ? "assign-text" : "assign-agent")?.focus();
      return;
    }
    assign.mutate({ text, assignedAgent, priority, ...(instruction ? { instructionId: instruction } : {}) });
  };

  const fieldErrors = (k: string) => errors[k];
  return (
    <form onSubmit={submit} noValidate className="grid gap-3" aria-label="Assign work">
      <FormError message={formError} />
      <Field id="assign-text" label="What is needed" required errors={fieldErrors("text")} hint="The first line is the task's title; the rest its description (Markdown).">
        <Textarea
          id="assign-text"
          rows={5}
          autoFocus
          value={text}
          maxLength={100_000}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && (e.metaKey || e.ctrlKey)) submit();
          }}
          placeholder={"e.g. Export orders as CSV\n\nColumns: id, total, date. One file per day."}
          aria-invalid={!!errors.text?.length || undefined}
          aria-describedby={describedBy("assign-text", errors.text, true)}
        />
      </Field>
      <div className="grid gap-3 sm:grid-cols-[1fr_9rem]">
        <SelectField
          id="assign-agent"
          label="Agent"
          errors={fieldErrors("assignedAgent")}
          value={assignedAgent}
          onChange={(e) => setAgent(e.target.value)}
          aria-invalid={!!errors.assignedAgent?.length || undefined}
          disabled={agents.isPending}
          options={[
            { value: "", label: agents.isPending ? "Loading agents…" : "Choose an agent…" },
            ...agentList.map((a) => ({ value: a.name, label: `${a.name} · ${a.load.open ? `${a.load.open} open` : "free"}` })),
          ]}
        />
        <SelectField id="assign-priority" label="Priority" errors={fieldErrors("priority")} value={priority} onChange={(e) => setPriority(e.target.value)} options={priorities} />
      </div>
      <SelectField
        id="assign-instruction"
        label="Instruction"
        errors={fieldErrors("instructionId")}
        value={instruction}
        onChange={(e) => setInstruction(e.target.value)}
        options={[{ value: "", label: "New instruction from this text" }, ...instructionList.map((i) => ({ value: i.id, label: `${i.id} · ${i.title}` }))]}
      />
      <DialogFooter className="items-center">
        <span className="mr-auto hidden text-[11px] text-muted-foreground sm:inline">
          <Kbd>Ctrl</Kbd> <Kbd>↵</Kbd> assign
        </span>
        <Button variant="ghost" onClick={onDone}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" disabled={assign.isPending} aria-busy={assign.isPending}>
          {assign.isPending ? "Assigning…" : "Assign"}
        </Button>
      </DialogFooter>
    </form>
  );
}
