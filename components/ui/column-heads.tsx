import * as React from "react";
import { cn } from "./cn";

/**
 * A table's head: one row of small muted column names (`scope="col"`). `className` goes on every
 * cell (the padding), each column's own after it (width, alignment).
 */
export function ColumnHeads({ columns, className }: { columns: { label: React.ReactNode; className?: string }[]; className?: string }) {
  return (
    <thead>
      <tr className="border-b text-left text-[11px] text-muted-foreground">
        {columns.map((c, i) => (
          <th key={i} scope="col" className={cn(className, c.className, "font-medium")}>
            {c.label}
          </th>
        ))}
      </tr>
    </thead>
  );
}
