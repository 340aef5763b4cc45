"use client";
import { useInstructionTasks } from "@/lib/queries/tasks";
import { StatusIcon } from "@/components/ui/status";
import { Skeleton } from "@/components/ui/skeleton";
import { Mono } from "@/components/ui/mono";

/** The new-task form's dependencies: the other tasks of the chosen instruction, as checkboxes. */
export function DependencyPicker({ instructionId, value, onChange, errors }: { instructionId: string; value: string[]; onChange: (ids: string[]) => void; errors?: string[] }) {
  const siblings = useInstructionTasks(instructionId);
  const depTasks = siblings.data?.items ?? [];
  return (
    <fieldset className="grid gap-1.5" aria-describedby={errors?.length ? "dependsOn-error" : "dependsOn-hint"}>
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
                  <input type="checkbox" checked={value.includes(t.id)} onChange={(e) => onChange(e.target.checked ? [...value, t.id] : value.filter((d) => d !== t.id))} />
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
      {errors?.length ? (
        <p id="dependsOn-error" className="text-xs text-status-failed">
          {errors.join(" ")}
        </p>
      ) : null}
    </fieldset>
  );
}
