import * as React from "react";
import { cn } from "./cn";

/**
 * A form row: label, control, hint and error messages. Give the control `id={id}` and
 * `aria-describedby={describedBy(id, errors, hint)}`, `aria-invalid={!!errors?.length}`.
 */
export function Field({
  id,
  label,
  hint,
  errors,
  required,
  className,
  children,
}: {
  id: string;
  label: React.ReactNode;
  hint?: React.ReactNode;
  errors?: string[] | undefined;
  required?: boolean;
  className?: string;
  children: React.ReactNode;
}) {
  return (
    <div className={cn("grid gap-1.5", className)}>
      <label htmlFor={id} className="text-xs font-medium text-foreground">
        {label}
        {required && (
          <span className="ml-0.5 text-status-failed" aria-hidden>
            *
          </span>
        )}
      </label>
      {children}
      {hint && !errors?.length && (
        <p id={`${id}-hint`} className="text-xs text-muted-foreground">
          {hint}
        </p>
      )}
      {errors?.length ? (
        <p id={`${id}-error`} className="text-xs text-status-failed">
          {errors.join(" ")}
        </p>
      ) : null}
    </div>
  );
}

export function describedBy(id: string, errors?: string[], hint?: unknown): string | undefined {
  if (errors?.length) return `${id}-error`;
  if (hint) return `${id}-hint`;
  return undefined;
}
