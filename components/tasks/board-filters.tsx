"use client";
import { priorities } from "@/lib/domain/vocabulary";
import { Plus, X } from "lucide-react";
import type { AgentSummary } from "@/lib/services";
import { Button } from "@/components/ui/button";
import { Select } from "@/components/ui/select";
import type { InstructionOption } from "./new-task-sheet";

export interface BoardFiltersValue {
  agent?: string;
  instruction?: string;
  priority?: string;
}

/** The board's filters (kept in the URL by the board) and its primary action, New task. */
export function BoardFilterBar({
  filters,
  agents,
  instructions,
  onFilter,
  onClear,
  onNewTask,
}: {
  filters: BoardFiltersValue;
  agents: AgentSummary[];
  instructions: InstructionOption[];
  onFilter: (k: keyof BoardFiltersValue, v: string) => void;
  onClear: () => void;
  onNewTask: () => void;
}) {
  const filtered = !!(filters.agent || filters.instruction || filters.priority);
  const instructionOptions =
    filters.instruction && !instructions.some((i) => i.id === filters.instruction) ? [{ id: filters.instruction, title: filters.instruction, phase: "" }, ...instructions] : instructions;
  const filterSelects: { key: keyof BoardFiltersValue; label: string; all: string; className: string; options: { value: string; label: string }[] }[] = [
    { key: "agent", label: "Agent", all: "All agents", className: "w-44", options: agents.map((a) => ({ value: a.name, label: a.name })) },
    {
      key: "instruction",
      label: "Instruction",
      all: "All instructions",
      className: "w-60",
      options: instructionOptions.map((i) => ({ value: i.id, label: i.title === i.id ? i.id : `${i.title} (${i.id})` })),
    },
    { key: "priority", label: "Priority", all: "Any priority", className: "w-32", options: priorities.map((p) => ({ value: p, label: p })) },
  ];
  return (
    <div className="flex flex-wrap items-end gap-2" role="group" aria-label="Filters">
      {filterSelects.map(({ key, label, all, className, options }) => (
        <div key={key} className="grid gap-1">
          <label htmlFor={`filter-${key}`} className="text-[11px] text-muted-foreground">
            {label}
          </label>
          <Select id={`filter-${key}`} value={filters[key] ?? ""} onChange={(e) => onFilter(key, e.target.value)} className={className}>
            <option value="">{all}</option>
            {options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </Select>
        </div>
      ))}
      {filtered && (
        <Button variant="ghost" size="sm" onClick={onClear}>
          <X /> Clear filters
        </Button>
      )}
      <Button variant="primary" size="sm" className="ml-auto" onClick={onNewTask} data-testid="new-task-button">
        <Plus /> New task
      </Button>
    </div>
  );
}
