"use client";
import * as React from "react";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogClose } from "@/components/ui/dialog";
import { Field, describedBy } from "@/components/ui/field";
import { Textarea } from "@/components/ui/textarea";
import { Button } from "@/components/ui/button";
import { Kbd } from "@/components/ui/kbd";

/** Asks what needs to change (required); the comment reaches the agent's inbox. */
export function RequestChangesDialog({
  open,
  onOpenChange,
  version,
  agent,
  comment,
  onCommentChange,
  error,
  onSubmit,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  version: number;
  agent: string;
  comment: string;
  onCommentChange: (v: string) => void;
  /** A refusal to show in the form (e.g. the server's field error). */
  error?: string | null;
  onSubmit: (comment: string) => void;
}) {
  const [touched, setTouched] = React.useState(false);
  const empty = !comment.trim();
  const errors = error ? [error] : touched && empty ? ["Say what needs to change: the agent works from this comment."] : undefined;
  const submit = () => {
    setTouched(true);
    if (empty) return;
    onSubmit(comment.trim());
  };
  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        if (!o) setTouched(false);
        onOpenChange(o);
      }}
    >
      <DialogContent className="max-w-lg" aria-describedby="request-changes-description">
        <form
          noValidate
          className="grid gap-3"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <DialogHeader>
            <DialogTitle>Request changes on v{version}</DialogTitle>
            <DialogDescription id="request-changes-description">Your comment goes to {agent}&apos;s inbox as a review response, and the task goes back to in progress.</DialogDescription>
          </DialogHeader>
          <Field id="review-comment" label="What needs to change" required errors={errors} hint="Markdown works. Be specific: the agent works from this.">
            <Textarea
              id="review-comment"
              data-testid="review-comment"
              rows={6}
              autoFocus
              aria-required
              aria-invalid={!!errors?.length}
              aria-describedby={describedBy("review-comment", errors, true)}
              value={comment}
              onChange={(e) => onCommentChange(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === "Enter" && (e.metaKey || e.ctrlKey)) {
                  e.preventDefault();
                  submit();
                }
              }}
            />
          </Field>
          <DialogFooter className="items-center">
            <span className="mr-auto text-xs text-muted-foreground">
              <Kbd>Ctrl</Kbd> <Kbd>Enter</Kbd> sends
            </span>
            <DialogClose asChild>
              <Button variant="ghost" size="sm">
                Cancel
              </Button>
            </DialogClose>
            <Button type="submit" variant="destructive" size="sm">
              Request changes
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
