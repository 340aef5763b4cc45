"use client";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";

type Step = { position: number; title: string; guidance?: string | null };
type Workflow = { name: string; steps: Step[] };

/** The alternative workflows the definition describes (kept in extra.workflows by the loader), or [] for a single procedure. */
export function workflowsOf(extra: unknown): Workflow[] {
  const w = (extra as { workflows?: unknown } | null)?.workflows;
  if (!Array.isArray(w) || w.length < 2) return [];
  return w.filter((x): x is Workflow => !!x && typeof x === "object" && typeof (x as Workflow).name === "string" && Array.isArray((x as Workflow).steps));
}

function StepList({ steps }: { steps: Step[] }) {
  return (
    <ol className="divide-y">
      {steps.map((s) => (
        <li key={s.position} className="grid grid-cols-[1.5rem_minmax(0,1fr)] gap-2 px-4 py-2">
          <span className="text-right text-xs text-muted-foreground tabular-nums">{s.position}</span>
          <span>
            <span className="block text-sm font-medium">{s.title}</span>
            {s.guidance && <span className="block text-xs text-muted-foreground">{s.guidance}</span>}
          </span>
        </li>
      ))}
    </ol>
  );
}

/**
 * The agent's Response Approach: its steps, copied onto each task it is assigned; or, when its
 * definition describes alternative workflows (one per kind of request), each of them, the first
 * being the default a new task gets unless its creator picks another.
 */
export function ResponseApproach({ steps, extra }: { steps: Step[]; extra: unknown }) {
  const workflows = workflowsOf(extra);
  return (
    <Card data-testid="response-approach">
      <CardHeader>
        <CardTitle>Response Approach</CardTitle>
        <span className="text-xs text-muted-foreground">
          {workflows.length ? `${workflows.length} alternative workflows: a new task gets the one its creator picks (the first by default)` : `${steps.length} steps, copied onto each task it is assigned`}
        </span>
      </CardHeader>
      {workflows.length ? (
        <div className="divide-y">
          {workflows.map((w, i) => (
            <details key={w.name} open={i === 0} className="group" data-testid="agent-workflow">
              <summary className="cursor-pointer px-4 py-2 text-sm font-medium hover:bg-accent">
                {w.name}
                <span className="ml-2 text-xs font-normal text-muted-foreground">
                  {w.steps.length} steps{i === 0 ? " · default" : ""}
                </span>
              </summary>
              <StepList steps={w.steps} />
            </details>
          ))}
        </div>
      ) : steps.length === 0 ? (
        <p className="px-4 py-3 text-sm text-muted-foreground">The definition has no numbered Response Approach list.</p>
      ) : (
        <StepList steps={steps} />
      )}
    </Card>
  );
}
