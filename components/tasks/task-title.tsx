import type { TaskStatus } from "@/lib/domain/vocabulary";
import { PriorityDot } from "@/components/ui/priority-dot";
import { cn } from "@/components/ui/cn";

/** A task's priority dot and title in a list row; a cancelled task's title is struck through. */
export function TaskTitle({ title, priority, status }: { title: string; priority: string; status: TaskStatus }) {
  return (
    <span className="flex items-center gap-1.5">
      <PriorityDot priority={priority} />
      <span className={cn("truncate text-sm", status === "cancelled" && "text-muted-foreground line-through")}>{title}</span>
    </span>
  );
}
