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
  const instructionOptions = filters.instruction && !instructions.some((i) => i.id === filters.instruction) ? [{ id: filters.instruction, title: filters.instruction, phase: "" }, ...instructions] : instructions;
  return (
    <div className="flex flex-wrap items-end gap-2" role="group" aria-label="Filters">
      <div className="grid gap-1">
        <label htmlFor="filter-agent" className="text-[11px] text-muted-foreground">
          Agent
        </label>
        <Select id="filter-agent" value={filters.agent ?? ""} onChange={(e) => onFilter("agent", e.target.value)} className="w-44">
          <option value="">All agents</option>
          {agents.map((a) => (
            <option key={a.name} value={a.name}>
              {a.name}
            </option>
          ))}
        </Select>
      </div>
      <div className="grid gap-1">
        <label htmlFor="filter-instruction" className="text-[11px] text-muted-foreground">
          Instruction
        </label>
        <Select id="filter-instruction" value={filters.instruction ?? ""} onChange={(e) => onFilter("instruction", e.target.value)} className="w-60">
          <option value="">All instructions</option>
          {instructionOptions.map((i) => (
            <option key={i.id} value={i.id}>
              {i.title === i.id ? i.id : `${i.title} (${i.id})`}
            </option>
          ))}
        </Select>
      </div>
      <div className="grid gap-1">
        <label htmlFor="filter-priority" className="text-[11px] text-muted-foreground">
          Priority
        </label>
        <Select id="filter-priority" value={filters.priority ?? ""} onChange={(e) => onFilter("priority", e.target.value)} className="w-32">
          <option value="">Any priority</option>
          {priorities.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </Select>
      </div>
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
