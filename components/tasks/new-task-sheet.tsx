"use client";
import * as React from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import type { AgentSummary, TaskDto, TaskListItem } from "@/lib/services";
import { api, isApiError } from "@/lib/queries/api";
import type { Page } from "@/lib/queries/hooks";
import { keys } from "@/lib/queries/keys";
import { hrefs } from "@/lib/queries/links";
import { Sheet, SheetBody, SheetContent, SheetDescription, SheetFooter, SheetHeader, SheetTitle } from "@/components/ui/sheet";
import { Field, describedBy } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/alert";
import { ListEditor, cleanList } from "@/components/ui/list-editor";
import { AgentSwatch } from "@/components/ui/agent-swatch";
import { StatusIcon } from "@/components/ui/status";
import { Skeleton } from "@/components/ui/skeleton";
import { Mono } from "@/components/ui/mono";
import { cn } from "@/components/ui/cn";
import { MarkdownEditor } from "@/components/markdown/markdown-editor";

export interface InstructionOption {
  id: string;
  title: string;
  phase: string;
}

const taskTypes = ["create", "modify", "analyze", "validate", "test"] as const;
const priorities = ["critical", "high", "normal", "low"] as const;

interface FormState {
  instructionId: string;
  title: string;
  description: string;
  type: string;
  assignedAgent: string;
  acceptanceCriteria: string[];
  filesToModify: string[];
  filesToCreate: string[];
  dependsOn: string[];
  priority: string;
  authority: "autonomous" | "review_required";
  deadline: string;
}

const empty = (instructionId: string): FormState => ({
  instructionId,
  title: "",
  description: "",
  type: "create",
  assignedAgent: "",
  acceptanceCriteria: [""],
  filesToModify: [],
  filesToCreate: [],
  dependsOn: [],
  priority: "normal",
  authority: "review_required",
  deadline: "",
});

type Errors = Record<string, string[]>;
const known = new Set(["instructionId", "title", "description", "type", "assignedAgent", "acceptanceCriteria", "filesToModify", "filesToCreate", "dependsOn", "priority", "authority", "deadline"]);

/** Problem `fields` may be keyed "acceptanceCriteria.2" or "filesToCreate[0]": group them by the form field. */
function groupFieldErrors(fields: Record<string, string[]>): { byField: Errors; other: string[] } {
  const byField: Errors = {};
  const other: string[] = [];
  for (const [k, msgs] of Object.entries(fields)) {
    const root = k.split(/[.[]/)[0];
    if (known.has(root)) (byField[root] ??= []).push(...msgs);
    else other.push(...msgs.map((m) => `${k}: ${m}`));
  }
  return { byField, other };
}

/** The assignment form in a side sheet: POST /api/v1/tasks. The form mounts fresh each time the sheet opens. */
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
  const client = useQueryClient();
  const usable = instructions.filter((i) => i.phase !== "completed" && i.phase !== "failed");
  const initialInstruction = defaultInstructionId ?? usable[0]?.id ?? "";
  const [f, setF] = React.useState<FormState>(() => empty(initialInstruction));
  const [errors, setErrors] = React.useState<Errors>({});
  const [formError, setFormError] = React.useState<string[] | null>(null);

  const set = <K extends keyof FormState>(k: K, v: FormState[K]) => setF((s) => ({ ...s, [k]: v }));

  const siblings = useQuery({
    queryKey: [...keys.taskList({ instructionId: f.instructionId }), "deps"],
    queryFn: ({ signal }) => api.get<Page<TaskListItem>>("/api/v1/tasks", { instructionId: f.instructionId, limit: 200 }, signal),
    enabled: !!f.instructionId,
  });

  const create = useMutation({
    mutationFn: (body: Record<string, unknown>) => api.post<TaskDto>("/api/v1/tasks", body),
    meta: { silent: true },
    onSuccess: (task) => {
      void client.invalidateQueries({ queryKey: keys.tasks });
      void client.invalidateQueries({ queryKey: keys.instruction(task.instructionId) });
      void client.invalidateQueries({ queryKey: keys.overview });
      void client.invalidateQueries({ queryKey: keys.agents });
      toast.success(`Task ${task.ref} assigned to ${task.assignedAgent}`, {
        description: task.title,
        action: { label: "Open", onClick: () => router.push(hrefs.task(task.id)) },
      });
      onClose();
      onCreated?.(task);
      router.refresh();
    },
    onError: (err) => {
      if (isApiError(err) && err.fields) {
        const { byField, other } = groupFieldErrors(err.fields);
        setErrors(byField);
        setFormError([err.detail, ...other]);
      } else {
        setFormError([isApiError(err) ? err.detail : "Could not create the task"]);
      }
    },
  });

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const errs: Errors = {};
    if (!f.instructionId) errs.instructionId = ["Choose an instruction"];
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
    create.mutate({
      instructionId: f.instructionId,
      title: f.title.trim(),
      description: f.description,
      type: f.type,
      assignedAgent: f.assignedAgent,
      acceptanceCriteria: cleanList(f.acceptanceCriteria),
      filesToModify: cleanList(f.filesToModify),
      filesToCreate: cleanList(f.filesToCreate),
      dependsOn: f.dependsOn,
      priority: f.priority,
      authority: f.authority,
      ...(deadline ? { deadline } : {}),
    });
  };

  const depTasks = siblings.data?.items ?? [];

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
            <Field id="instructionId" label="Instruction" required errors={errors.instructionId}>
              {usable.length === 0 ? (
                <p className="text-sm text-muted-foreground">
                  No open instruction to add a task to.{" "}
                  <Link className="underline" href={hrefs.newInstruction()}>
                    Create one first
                  </Link>
                  .
                </p>
              ) : (
                <Select
                  id="instructionId"
                  value={f.instructionId}
                  onChange={(e) => setF((s) => ({ ...s, instructionId: e.target.value, dependsOn: [] }))}
                  aria-invalid={!!errors.instructionId?.length || undefined}
                  aria-describedby={describedBy("instructionId", errors.instructionId)}
                >
                  {usable.map((i) => (
                    <option key={i.id} value={i.id}>
                      {i.id} · {i.title}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
            <Field id="title" label="Title" required errors={errors.title}>
              <Input
                id="title"
                value={f.title}
                maxLength={200}
                onChange={(e) => set("title", e.target.value)}
                placeholder="e.g. Implement POST /api/orders"
                aria-invalid={!!errors.title?.length || undefined}
                aria-describedby={describedBy("title", errors.title)}
              />
            </Field>
            <Field id="description" label="Description" hint="Markdown: what to do and why." errors={errors.description}>
              <MarkdownEditor
                id="description"
                label="Description"
                value={f.description}
                onChange={(v) => set("description", v)}
                rows={6}
                invalid={!!errors.description?.length}
                describedBy={describedBy("description", errors.description, "hint")}
              />
            </Field>
            <div className="grid grid-cols-3 gap-3">
              <Field id="type" label="Type" errors={errors.type}>
                <Select id="type" value={f.type} onChange={(e) => set("type", e.target.value)} aria-describedby={describedBy("type", errors.type)}>
                  {taskTypes.map((t) => (
                    <option key={t} value={t}>
                      {t}
                    </option>
                  ))}
                </Select>
              </Field>
              <Field id="priority" label="Priority" errors={errors.priority}>
                <Select id="priority" value={f.priority} onChange={(e) => set("priority", e.target.value)} aria-describedby={describedBy("priority", errors.priority)}>
                  {priorities.map((p) => (
                    <option key={p} value={p}>
                      {p}
                    </option>
                  ))}
                </Select>
              </Field>
              <Field id="deadline" label="Deadline" errors={errors.deadline}>
                <Input
                  id="deadline"
                  type="datetime-local"
                  value={f.deadline}
                  onChange={(e) => set("deadline", e.target.value)}
                  aria-invalid={!!errors.deadline?.length || undefined}
                  aria-describedby={describedBy("deadline", errors.deadline)}
                />
              </Field>
            </div>

            <fieldset className="grid gap-1.5" aria-describedby={errors.assignedAgent?.length ? "assignedAgent-error" : undefined}>
              <legend className="mb-1.5 text-xs font-medium">
                Agent<span className="ml-0.5 text-status-failed" aria-hidden>*</span>
              </legend>
              {agents.length === 0 ? (
                <p className="text-sm text-muted-foreground">No agents are defined yet: add a definition file to the agents/ folder.</p>
              ) : (
                <div className="grid max-h-64 gap-1 overflow-y-auto rounded-md border p-1" role="radiogroup" aria-label="Agent">
                  {agents.map((a) => {
                    const checked = f.assignedAgent === a.name;
                    return (
                      <label
                        key={a.name}
                        className={cn(
                          "flex cursor-pointer items-start gap-2.5 rounded-md px-2.5 py-2 hover:bg-accent has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-ring",
                          checked && "bg-accent",
                        )}
                      >
                        <input
                          type="radio"
                          name="assignedAgent"
                          id={`agent-${a.name}`}
                          value={a.name}
                          checked={checked}
                          onChange={() => set("assignedAgent", a.name)}
                          className="mt-1 accent-[var(--status-progress)]"
                        />
                        <span className="min-w-0 flex-1">
                          <span className="flex items-center gap-1.5 text-sm font-medium">
                            <AgentSwatch color={a.color} name={a.name} />
                            {a.name}
                            <span className="ml-auto text-xs font-normal text-muted-foreground tabular-nums">
                              {a.load.open ? `${a.load.open} open · ${a.load.in_progress} running` : "free"}
                            </span>
                          </span>
                          <span className="mt-0.5 line-clamp-2 block text-xs text-muted-foreground">{a.description || "No description."}</span>
                          <span className="mt-0.5 block text-[11px] text-muted-foreground">{a.stepCount} steps in its Response Approach</span>
                        </span>
                      </label>
                    );
                  })}
                </div>
              )}
              {errors.assignedAgent?.length ? (
                <p id="assignedAgent-error" className="text-xs text-status-failed">
                  {errors.assignedAgent.join(" ")}
                </p>
              ) : null}
            </fieldset>

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

            <Field id="acceptanceCriteria" label="Acceptance criteria" hint="One per row; Enter adds the next." errors={errors.acceptanceCriteria}>
              <ListEditor
                id="acceptanceCriteria"
                label="Acceptance criterion"
                values={f.acceptanceCriteria}
                onChange={(v) => set("acceptanceCriteria", v)}
                placeholder="e.g. Returns 201 with the order id"
                addLabel="Add criterion"
                invalid={!!errors.acceptanceCriteria?.length}
                describedBy={describedBy("acceptanceCriteria", errors.acceptanceCriteria, "hint")}
              />
            </Field>
            <div className="grid gap-4 sm:grid-cols-2">
              <Field id="filesToModify" label="Files to modify" errors={errors.filesToModify}>
                <ListEditor
                  id="filesToModify"
                  label="File to modify"
                  values={f.filesToModify}
                  onChange={(v) => set("filesToModify", v)}
                  placeholder="src/payments/service.ts"
                  addLabel="Add file"
                  mono
                  invalid={!!errors.filesToModify?.length}
                  describedBy={describedBy("filesToModify", errors.filesToModify)}
                />
              </Field>
              <Field id="filesToCreate" label="Files to create" errors={errors.filesToCreate}>
                <ListEditor
                  id="filesToCreate"
                  label="File to create"
                  values={f.filesToCreate}
                  onChange={(v) => set("filesToCreate", v)}
                  placeholder="app/api/orders/route.ts"
                  addLabel="Add file"
                  mono
                  invalid={!!errors.filesToCreate?.length}
                  describedBy={describedBy("filesToCreate", errors.filesToCreate)}
                />
              </Field>
            </div>

            <fieldset className="grid gap-1.5" aria-describedby={errors.dependsOn?.length ? "dependsOn-error" : "dependsOn-hint"}>
              <legend className="mb-1.5 text-xs font-medium">Depends on</legend>
              {siblings.isLoading ? (
                <Skeleton className="h-16" />
              ) : siblings.error ? (
                <p className="text-xs text-status-failed">Could not load the instruction&apos;s tasks.</p>
              ) : depTasks.length === 0 ? (
                <p id="dependsOn-hint" className="text-xs text-muted-foreground">
                  No other tasks in this instruction yet.
                </p>
              ) : (
                <>
                  <p id="dependsOn-hint" className="text-xs text-muted-foreground">
                    This task can be claimed only after these complete.
                  </p>
                  <ul className="grid max-h-44 gap-0.5 overflow-y-auto rounded-md border p-1">
                    {depTasks.map((t) => (
                      <li key={t.id}>
                        <label className="flex cursor-pointer items-center gap-2 rounded px-2 py-1 text-sm hover:bg-accent">
                          <input
                            type="checkbox"
                            checked={f.dependsOn.includes(t.id)}
                            onChange={(e) => set("dependsOn", e.target.checked ? [...f.dependsOn, t.id] : f.dependsOn.filter((d) => d !== t.id))}
                          />
                          <StatusIcon status={t.status} className="size-3.5 animate-none" />
                          <Mono className="w-10 shrink-0 text-xs text-muted-foreground">{t.ref}</Mono>
                          <span className="truncate">{t.title}</span>
                          <span className="ml-auto shrink-0 text-xs text-muted-foreground">{t.assignedAgent}</span>
                        </label>
                      </li>
                    ))}
                  </ul>
                </>
              )}
              {errors.dependsOn?.length ? (
                <p id="dependsOn-error" className="text-xs text-status-failed">
                  {errors.dependsOn.join(" ")}
                </p>
              ) : null}
            </fieldset>
          </SheetBody>
          <SheetFooter>
            <Button variant="ghost" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" variant="primary" disabled={create.isPending || usable.length === 0} aria-busy={create.isPending}>
              {create.isPending ? "Assigning…" : "Assign task"}
            </Button>
          </SheetFooter>
        </form>
  );
}
