"use client";
import * as React from "react";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/alert";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import type { UseMutationResult } from "@tanstack/react-query";
import { errorMessage } from "@/lib/queries/api";

/**
 * Asks before something that cannot be undone (remove a person, revoke a token). Radix traps focus
 * and closes on Esc; the refusal, if the server sends one, is shown in place and the dialog stays open.
 */
export function ConfirmDialog({
  open,
  title,
  description,
  confirmLabel,
  pending,
  error,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  title: React.ReactNode;
  description: React.ReactNode;
  confirmLabel: string;
  pending?: boolean;
  error?: unknown;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <Dialog open={open} onOpenChange={(o) => !o && onCancel()}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>{title}</DialogTitle>
          <DialogDescription>{description}</DialogDescription>
        </DialogHeader>
        {error ? (
          <Alert tone="error" role="alert">
            {errorMessage(error)}
          </Alert>
        ) : null}
        <DialogFooter>
          <Button variant="ghost" onClick={onCancel}>
            Back
          </Button>
          <Button variant="destructive" disabled={pending} onClick={onConfirm}>
            {pending ? "Working…" : confirmLabel}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}

/**
 * A confirmation that runs a mutation on one row (`target`, by its id): the pending state and the
 * server's refusal shown in place, closed on success, then `onDone` with the answer. The settings
 * sections confirm their removals, revocations and rotations with it.
 */
export function ConfirmMutation<T extends { id: string }, R>({
  target,
  onClose,
  mutation,
  onDone,
  formatError,
  ...text
}: {
  target: T | null;
  onClose: () => void;
  mutation: Pick<UseMutationResult<R, Error, string, unknown>, "isPending" | "error" | "mutate">;
  onDone: (r: R) => void;
  formatError?: (err: unknown) => string;
  title: React.ReactNode;
  description: React.ReactNode;
  confirmLabel: string;
}) {
  return (
    <ConfirmDialog
      open={!!target}
      {...text}
      pending={mutation.isPending}
      error={mutation.error ? (formatError ? formatError(mutation.error) : mutation.error) : undefined}
      onCancel={onClose}
      onConfirm={() =>
        target &&
        mutation.mutate(target.id, {
          onSuccess: (r) => {
            onClose();
            onDone(r);
          },
        })
      }
    />
  );
}
