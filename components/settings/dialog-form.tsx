"use client";
import type * as React from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { DialogFooter } from "@/components/ui/dialog";
import { Field, describedBy } from "@/components/ui/field";
import { Input } from "@/components/ui/input";

/**
 * The end of a settings dialog's form: the refusal that belongs to no field (when there is one),
 * then Cancel and the submit button, which says `pendingLabel` and is disabled while it runs.
 */
export function DialogFormFooter({ error, onCancel, pending, submitLabel, pendingLabel }: { error: string | null; onCancel: () => void; pending: boolean; submitLabel: string; pendingLabel: string }) {
  return (
    <>
      {error !== null ? (
        <Alert tone="error" role="alert">
          {error}
        </Alert>
      ) : null}
      <DialogFooter>
        <Button variant="ghost" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" disabled={pending}>
          {pending ? pendingLabel : submitLabel}
        </Button>
      </DialogFooter>
    </>
  );
}

/** The footer under a secret shown once: Done closes the dialog. */
export function DoneFooter({ onDone }: { onDone: () => void }) {
  return (
    <DialogFooter>
      <Button variant="primary" onClick={onDone}>
        Done
      </Button>
    </DialogFooter>
  );
}

/** A new password for an account (10 to 200 characters), with its hint and the server's errors under it. */
export function NewPasswordField({
  id,
  label,
  hint,
  errors,
  value,
  onChange,
  autoFocus,
}: {
  id: string;
  label: string;
  hint: string;
  errors: string[] | undefined;
  value: string;
  onChange: (e: React.ChangeEvent<HTMLInputElement>) => void;
  autoFocus?: boolean;
}) {
  return (
    <Field id={id} label={label} required hint={hint} errors={errors}>
      <Input
        id={id}
        type="password"
        autoComplete="new-password"
        required
        autoFocus={autoFocus}
        minLength={10}
        maxLength={200}
        value={value}
        onChange={onChange}
        aria-invalid={!!errors?.length || undefined}
        aria-describedby={describedBy(id, errors, hint)}
      />
    </Field>
  );
}
