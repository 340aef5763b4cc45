"use client";
import * as React from "react";
import { useRouter } from "next/navigation";
import { toast } from "sonner";
import type { AgentSummary, TaskDto } from "@/lib/services";
import { isApiError } from "@/lib/queries/api";
import { hrefs } from "@/lib/queries/links";
import { useCreateTask } from "@/lib/queries/tasks";
import { useAssignWork } from "@/lib/queries/assignments";
import { Sheet, SheetBody, SheetContent, SheetDescription, SheetFooter, SheetHeader, SheetTitle } from "@/components/ui/sheet";
import { Field, describedBy } from "@/components/ui/field";
import { Select } from "@/components/ui/select";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/alert";
import { cleanList } from "@/components/ui/list-editor";
import { MarkdownField, SelectField, TextField } from "@/components/forms/fields";
import { AgentPicker, WorkflowPicker } from "./agent-picker";
import { DependencyPicker } from "./dependency-picker";
import { emptyForm, groupFieldErrors, priorities, taskTypes, type Errors, type FormState } from "./new-task-form-state";
import { TaskScopeFields } from "./task-scope-fields";

export interface InstructionOption {
  id: string;
  title: string;
  phase: string;
}

/**
 * The assignment form in a side sheet: POST /api/v1/tasks in the chosen instruction, or, with "New
 * instruction" chosen, POST /api/v1/assignments (the instruction is made from the same title and
 * description, in the same transaction). The form mounts fresh each time the sheet opens.
 */
export function NewTaskSheet({
  open,
  onOpenChange,
  agents,
  instructions,
  defaultInstructionId,
  onCreated,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  agents: AgentSummary[];
  instructions: InstructionOption[];
  defaultInstructionId?: string;
  onCreated?: (task: TaskDto) => void;
}) {
  return (
    <Sheet open={open} onOpenChange={onOpenChange}>
      <SheetContent className="max-w-2xl" aria-describedby="new-task-desc" data-testid="new-task-sheet">
        <SheetHeader>
          <SheetTitle>New task</SheetTitle>
          <SheetDescription id="new-task-desc">Assign one unit of work to an agent. It walks its Response Approach steps and reports each one here.</SheetDescription>
        </SheetHeader>
        <NewTaskForm agents={agents} instructions={instructions} defaultInstructionId={defaultInstructionId} onCreated={onCreated} onClose={() => onOpenChange(false)} />
      </SheetContent>
    </Sheet>
  );
}

function NewTaskForm({
  agents,
  instructions,
  defaultInstructionId,
  onCreated,
  onClose,
}: {
  agents: AgentSummary[];
  instructions: InstructionOption[];
  defaultInstructionId?: string;
  onCreated?: (task: TaskDto) => void;
  onClose: () => void;
}) {
  const router = useRouter();
  const usable = instructions.filter((i) => i.phase !== "completed" && i.phase !== "failed");
  // No instruction chosen: a new one is made from the task's title and description (assign in one move).
  const initialInstruction = defaultInstructionId ?? "";
  const [f, setF] = React.useState<FormState>(() => emptyForm(initialInstruction));
  const [errors, setErrors] = React.useState<Errors>({});
  const [formError, setFormError] = React.useState<string[] | null>(null);

  const set = <K extends keyof FormState>(k: K, v: FormState[K]) => setF((s) => ({ ...s, [k]: v }));

  // The instruction page, the board and the overview are queries: creating invalidates them (no router.refresh).
  const created = (task: TaskDto) => {
    toast.success(`Task ${task.ref} assigned to ${task.assignedAgent}`, {
      description: task.title,
      action: { label: "Open", onClick: () => router.push(hrefs.task(task.id)) },
    });
    onClose();
    onCreated?.(task);
  };
  const failed = (err: unknown) => {
    if (isApiError(err) && err.fields) {
      // The one-move verb names the text it made the title and description from `text`.
      const { byField, other } = groupFieldErrors(Object.fromEntries(Object.entries(err.fields).map(([k, v]) => [k === "text" ? "title" : k, v])));
      setErrors(byField);
      setFormError([err.detail, ...other]);
    } else {
      setFormError([isApiError(err) ? err.detail : "Could not create the task"]);
    }
  };
  const create = useCreateTask({ onSuccess: created, onError: failed });
  const assign = useAssignWork({ onSuccess: (a) => created(a.task), onError: failed });
  const pending = create.isPending || assign.isPending;

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const errs: Errors = {};
    if (!f.title.trim()) errs.title = ["Title is required"];
    if (!f.assignedAgent) errs.assignedAgent = ["Choose an agent"];
    let deadline: string | undefined;
    if (f.deadline) {
      const d = new Date(f.deadline);
      if (Number.isNaN(d.getTime())) errs.deadline = ["Not a valid date and time"];
      else deadline = d.toISOString();
    }
    setErrors(errs);
    setFormError(null);
    if (Object.keys(errs).length) {
      const first = Object.keys(errs)[0];
      document.getElementById(first === "assignedAgent" ? `agent-${agents[0]?.name ?? ""}` : first)?.focus();
      return;
    }
    const rest = {
      type: f.type,
      assignedAgent: f.assignedAgent,
      ...(f.workflow ? { workflow: f.workflow } : {}),
      acceptanceCriteria: cleanList(f.acceptanceCriteria),
      filesToModify: cleanList(f.filesToModify),
      filesToCreate: cleanList(f.filesToCreate),
      priority: f.priority,
      authority: f.authority,
      ...(deadline ? { deadline } : {}),
    };
    if (f.instructionId) create.mutate({ instructionId: f.instructionId, title: f.title.trim(), description: f.description, dependsOn: f.dependsOn, ...rest });
    else assign.mutate({ text: [f.title.trim(), f.description.trim()].filter(Boolean).join("\n\n"), ...rest });
  };

  return (
    <form onSubmit={submit} noValidate className="flex min-h-0 flex-1 flex-col" aria-label="New task">
      <SheetBody className="grid content-start gap-4">
        {formError && (
          <Alert tone="error" role="alert">
            <div className="grid gap-0.5">
              {formError.map((m, i) => (
                <p key={i}>{m}</p>
              ))}
            </div>
          </Alert>
        )}
        <Field
          id="instructionId"
          label="Instruction"
          errors={errors.instructionId}
          hint={f.instructionId ? undefined : "A new instruction is made from this task's title and description, in the same move."}
        >
          <Select
            id="instructionId"
            value={f.instructionId}
            onChange={(e) => setF((s) => ({ ...s, instructionId: e.target.value, dependsOn: [] }))}
            aria-invalid={!!errors.instructionId?.length || undefined}
            aria-describedby={describedBy("instructionId", errors.instructionId, !f.instructionId)}
          >
            <option value="">New instruction from this task</option>
            {usable.map((i) => (
              <option key={i.id} value={i.id}>
                {i.id} · {i.title}
              </option>
            ))}
          </Select>
        </Field>
        <TextField
          id="title"
          label="Title"
          required
          errors={errors.title}
          value={f.title}
          maxLength={200}
          onChange={(e) => set("title", e.target.value)}
          placeholder="e.g. Implement POST /api/orders"
        />
        <MarkdownField id="description" label="Description" hint="Markdown: what to do and why." errors={errors.description} value={f.description} onChange={(v) => set("description", v)} rows={6} />
        <div className="grid grid-cols-3 gap-3">
          <SelectField id="type" label="Type" errors={errors.type} value={f.type} onChange={(e) => set("type", e.target.value)} options={taskTypes} />
          <SelectField id="priority" label="Priority" errors={errors.priority} value={f.priority} onChange={(e) => set("priority", e.target.value)} options={priorities} />
          <TextField id="deadline" label="Deadline" errors={errors.deadline} type="datetime-local" value={f.deadline} onChange={(e) => set("deadline", e.target.value)} />
        </div>

        <AgentPicker
          agents={agents}
          value={f.assignedAgent}
          onChange={(v) => {
            set("assignedAgent", v);
            set("workflow", "");
          }}
          errors={errors.assignedAgent}
        />
        <WorkflowPicker agent={agents.find((a) => a.name === f.assignedAgent)} value={f.workflow} onChange={(v) => set("workflow", v)} errors={errors.workflow} />

        <fieldset className="grid gap-1.5">
          <legend id="authority-label" className="mb-1.5 text-xs font-medium">
            Authority
          </legend>
          <div className="flex gap-4 text-sm">
            {(
              [
                ["review_required", "Review required", "a person approves its output"],
                ["autonomous", "Autonomous", "completes without review"],
              ] as const
            ).map(([v, label, hint]) => (
              <label key={v} className="flex items-start gap-2">
                <input type="radio" name="authority" value={v} checked={f.authority === v} onChange={() => set("authority", v)} className="mt-1" />
                <span>
                  {label}
                  <span className="block text-xs text-muted-foreground">{hint}</span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>

        <TaskScopeFields acceptanceCriteria={f.acceptanceCriteria} filesToModify={f.filesToModify} filesToCreate={f.filesToCreate} onChange={(k, v) => set(k, v)} errors={errors} />

        {f.instructionId && <DependencyPicker instructionId={f.instructionId} value={f.dependsOn} onChange={(v) => set("dependsOn", v)} errors={errors.dependsOn} />}
      </SheetBody>
      <SheetFooter>
        <Button variant="ghost" onClick={onClose}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" disabled={pending} aria-busy={pending}>
          {pending ? "Assigning…" : "Assign task"}
        </Button>
      </SheetFooter>
    </form>
  );
}
