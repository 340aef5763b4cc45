"use client";
import * as React from "react";
import { Plus, X } from "lucide-react";
import { Button } from "./button";
import { Input } from "./input";
import { cn } from "./cn";

/**
 * An editable list of short strings (acceptance criteria, file paths): one input per item, Enter
 * adds a row after it, Backspace on an empty row removes it. Empty rows are kept while editing;
 * trim and drop them when submitting.
 */
export function ListEditor({
  id,
  label,
  values,
  onChange,
  placeholder,
  addLabel = "Add",
  mono,
  invalid,
  describedBy,
}: {
  id: string;
  label: string;
  values: string[];
  onChange: (v: string[]) => void;
  placeholder?: string;
  addLabel?: string;
  mono?: boolean;
  invalid?: boolean;
  describedBy?: string;
}) {
  const refs = React.useRef<(HTMLInputElement | null)[]>([]);
  const focusAt = React.useRef<number | null>(null);
  React.useEffect(() => {
    if (focusAt.current !== null) {
      refs.current[focusAt.current]?.focus();
      focusAt.current = null;
    }
  });
  const set = (i: number, v: string) => onChange(values.map((x, j) => (j === i ? v : x)));
  const insert = (at: number) => {
    const next = [...values];
    next.splice(at, 0, "");
    focusAt.current = at;
    onChange(next);
  };
  const remove = (i: number) => {
    focusAt.current = Math.max(0, i - 1);
    onChange(values.filter((_, j) => j !== i));
  };
  return (
    <div className="grid gap-1.5" role="group" aria-labelledby={`${id}-label`} aria-describedby={describedBy}>
      <ul className="grid gap-1.5">
        {values.map((v, i) => (
          <li key={i} className="flex items-center gap-1.5">
            <Input
              ref={(el) => {
                refs.current[i] = el;
              }}
              id={i === 0 ? id : undefined}
              aria-label={`${label} ${i + 1}`}
              value={v}
              placeholder={placeholder}
              aria-invalid={invalid || undefined}
              className={cn(mono && "font-mono text-[13px]")}
              onChange={(e) => set(i, e.target.value)}
              onKeyDown={(e) => {
                if (e.key === "Enter") {
                  e.preventDefault();
                  insert(i + 1);
                } else if (e.key === "Backspace" && v === "" && values.length > 0) {
                  e.preventDefault();
                  remove(i);
                }
              }}
            />
            <Button variant="ghost" size="icon-sm" aria-label={`Remove ${label.toLowerCase()} ${i + 1}`} onClick={() => remove(i)}>
              <X />
            </Button>
          </li>
        ))}
      </ul>
      <div>
        <Button variant="ghost" size="xs" onClick={() => insert(values.length)} id={values.length === 0 ? id : undefined}>
          <Plus /> {addLabel}
        </Button>
      </div>
    </div>
  );
}

/** Trims and drops empty rows. */
export const cleanList = (values: string[]) => values.map((v) => v.trim()).filter(Boolean);
