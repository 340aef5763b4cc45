"use client";
import * as React from "react";
import type { TaskCardData } from "@/lib/services";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Textarea } from "@/components/ui/textarea";
import { Field } from "@/components/ui/field";

export type ReasonTarget = { task: TaskCardData; to: "blocked" | "cancelled" };

/** Blocking asks why (required); cancelling takes an optional reason. */
export function MoveReasonDialog({ target, onCancel, onConfirm }: { target: ReasonTarget | null; onCancel: () => void; onConfirm: (reason: string) => void }) {
  const [reason, setReason] = React.useState("");
  const [error, setError] = React.useState<string | null>(null);
  const blocking = target?.to === "blocked";
  return (
    <Dialog open={!!target} onOpenChange={(o) => !o && onCancel()}>
      <DialogContent>
        <form
          className="grid gap-3"
          onSubmit={(e) => {
            e.preventDefault();
            if (blocking && !reason.trim()) {
              setError("Say why the task is blocked");
              return;
            }
            onConfirm(reason.trim());
          }}
        >
          <DialogHeader>
            <DialogTitle>{blocking ? "Block this task" : "Cancel this task"}</DialogTitle>
            <DialogDescription>{target?.task.title}</DialogDescription>
          </DialogHeader>
          <Field id="move-reason" label={blocking ? "Why is it blocked?" : "Reason (optional)"} required={blocking} errors={error ? [error] : undefined}>
            <Textarea
              id="move-reason"
              autoFocus
              rows={3}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              aria-invalid={!!error || undefined}
              aria-describedby={error ? "move-reason-error" : undefined}
              placeholder={blocking ? "e.g. Waiting for the payments API keys" : ""}
            />
          </Field>
          <DialogFooter>
            <Button variant="ghost" onClick={onCancel}>
              Back
            </Button>
            <Button type="submit" variant={blocking ? "primary" : "destructive"}>
              {blocking ? "Block task" : "Cancel task"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
