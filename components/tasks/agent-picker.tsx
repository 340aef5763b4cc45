"use client";
import type { AgentSummary } from "@/lib/services";
import { AgentSwatch } from "@/components/ui/agent-swatch";
import { cn } from "@/components/ui/cn";
import { Select } from "@/components/ui/select";

/** The new-task form's agent choice: each agent with its description, steps and current load. */
export function AgentPicker({ agents, value, onChange, errors }: { agents: AgentSummary[]; value: string; onChange: (name: string) => void; errors?: string[] }) {
  return (
    <fieldset className="grid gap-1.5" aria-describedby={errors?.length ? "assignedAgent-error" : undefined}>
      <legend className="mb-1.5 text-xs font-medium">
        Agent
        <span className="ml-0.5 text-status-failed" aria-hidden>
          *
        </span>
      </legend>
      {agents.length === 0 ? (
        <p className="text-sm text-muted-foreground">No agents are defined yet: add a definition file to the agents/ folder.</p>
      ) : (
        <div className="grid max-h-64 gap-1 overflow-y-auto rounded-md border p-1" role="radiogroup" aria-label="Agent">
          {agents.map((a) => {
            const checked = value === a.name;
            return (
              <label
                key={a.name}
                className={cn(
                  "flex cursor-pointer items-start gap-2.5 rounded-md px-2.5 py-2 hover:bg-accent has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-ring",
                  checked && "bg-accent",
                )}
              >
                <input type="radio" name="assignedAgent" id={`agent-${a.name}`} value={a.name} checked={checked} onChange={() => onChange(a.name)} className="mt-1 accent-[var(--status-progress)]" />
                <span className="min-w-0 flex-1">
                  <span className="flex items-center gap-1.5 text-sm font-medium">
                    <AgentSwatch color={a.color} name={a.name} />
                    {a.name}
                    <span className="ml-auto text-xs font-normal text-muted-foreground tabular-nums">{a.load.open ? `${a.load.open} open · ${a.load.in_progress} running` : "free"}</span>
                  </span>
                  <span className="mt-0.5 line-clamp-2 block text-xs text-muted-foreground">{a.description || "No description."}</span>
                  <span className="mt-0.5 block text-[11px] text-muted-foreground">{a.stepCount} steps in its Response Approach</span>
                </span>
              </label>
            );
          })}
        </div>
      )}
      {errors?.length ? (
        <p id="assignedAgent-error" className="text-xs text-status-failed">
          {errors.join(" ")}
        </p>
      ) : null}
    </fieldset>
  );
}

/**
 * When the chosen agent's definition describes alternative workflows (one per kind of request), the
 * person picks the one this task follows; the first is the default. Nothing shows for a single one.
 */
export function WorkflowPicker({ agent, value, onChange, errors }: { agent: AgentSummary | undefined; value: string; onChange: (name: string) => void; errors?: string[] }) {
  if (!agent || agent.workflows.length < 2) return null;
  return (
    <div className="grid gap-1.5" data-testid="workflow-picker">
      <label htmlFor="workflow" className="text-xs font-medium">
        Workflow
      </label>
      <Select
        id="workflow"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-describedby={errors?.length ? "workflow-error" : "workflow-hint"}
        aria-invalid={errors?.length ? true : undefined}
      >
        {agent.workflows.map((w, i) => (
          <option key={w} value={i === 0 ? "" : w}>
            {w}
            {i === 0 ? " (default)" : ""}
          </option>
        ))}
      </Select>
      <p id="workflow-hint" className="text-[11px] text-muted-foreground">
        {agent.name}&apos;s definition has {agent.workflows.length} alternative workflows; the task gets the steps of the one chosen here.
      </p>
      {errors?.length ? (
        <p id="workflow-error" className="text-xs text-status-failed">
          {errors.join(" ")}
        </p>
      ) : null}
    </div>
  );
}
