import type * as React from "react";
import { Field, describedBy } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Alert } from "@/components/ui/alert";
import { MarkdownEditor } from "@/components/markdown/markdown-editor";

/** What every field row shares: its id (label's htmlFor, control's id) and what to show around the control. */
interface FieldRow {
  id: string;
  label: string;
  errors?: string[];
  hint?: string;
  required?: boolean;
}

/** A labelled text input whose invalid state and description follow the field's errors and hint. */
export function TextField({ id, label, errors, hint, required, ...input }: FieldRow & Omit<React.ComponentProps<"input">, "id">) {
  return (
    <Field id={id} label={label} errors={errors} hint={hint} required={required}>
      <Input id={id} aria-invalid={!!errors?.length || undefined} aria-describedby={describedBy(id, errors, hint)} {...input} />
    </Field>
  );
}

/** An option shown as its value, or a value with its own label. */
export type SelectOption<T extends string | number> = T | { value: T; label: React.ReactNode };

/** A labelled native select over a list of options. */
export function SelectField<T extends string | number>({
  id,
  label,
  errors,
  options,
  ...select
}: Omit<FieldRow, "hint" | "required"> & { options: readonly SelectOption<T>[] } & Omit<React.ComponentProps<"select">, "id" | "children">) {
  return (
    <Field id={id} label={label} errors={errors}>
      <Select id={id} aria-describedby={describedBy(id, errors)} {...select}>
        {options.map((o) => {
          const { value, label: text } = typeof o === "object" ? o : { value: o, label: o };
          return (
            <option key={value} value={value}>
              {text}
            </option>
          );
        })}
      </Select>
    </Field>
  );
}

/** A labelled Markdown editor (write and preview tabs); its hint doubles as the editor's description. */
export function MarkdownField({ id, label, errors, hint, value, onChange, rows }: FieldRow & { value: string; onChange: (v: string) => void; rows?: number }) {
  return (
    <Field id={id} label={label} hint={hint} errors={errors}>
      <MarkdownEditor id={id} label={label} value={value} onChange={onChange} rows={rows} invalid={!!errors?.length} describedBy={describedBy(id, errors, hint)} />
    </Field>
  );
}

/** The form-level error above a form's fields, announced when it appears; nothing when there is none. */
export function FormError({ message, ...props }: { message: React.ReactNode } & Omit<React.ComponentProps<typeof Alert>, "children" | "tone" | "role">) {
  if (!message) return null;
  return (
    <Alert tone="error" role="alert" {...props}>
      {message}
    </Alert>
  );
}
