"use client";
import * as React from "react";
import { toast } from "sonner";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Field, describedBy } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { isApiError } from "@/lib/queries/api";
import { useSetUserPassword, type UserDto } from "@/lib/queries/admin";
import { refusalText } from "./people-section";

/** An admin sets a new password for someone who forgot theirs: their sessions end, they sign in with the new one. */
export function ResetPasswordDialog({ person, onClose }: { person: UserDto | null; onClose: () => void }) {
  const reset = useSetUserPassword();
  const [password, setPassword] = React.useState("");
  const fields = isApiError(reset.error) ? (reset.error.fields ?? {}) : {};
  const generalError = reset.error && !Object.keys(fields).length ? reset.error : null;
  const close = () => {
    setPassword("");
    reset.reset();
    onClose();
  };
  const hint = "At least 10 characters. Give it to them over a safe channel; they are signed out everywhere.";
  return (
    <Dialog open={!!person} onOpenChange={(o) => !o && close()}>
      <DialogContent data-testid="reset-password-dialog">
        <form
          className="grid gap-3"
          onSubmit={(e) => {
            e.preventDefault();
            if (!person) return;
            reset.mutate(
              { userId: person.id, password },
              {
                onSuccess: (u) => {
                  toast.success(`New password set for ${u.email}${u.sessionsEnded ? `: ${u.sessionsEnded} session${u.sessionsEnded === 1 ? "" : "s"} ended` : ""}`);
                  close();
                },
              },
            );
          }}
        >
          <DialogHeader>
            <DialogTitle>Set a new password for {person?.email}</DialogTitle>
            <DialogDescription>For a forgotten password. The old one stops working at once.</DialogDescription>
          </DialogHeader>
          <Field id="reset-password" label="New password" required hint={hint} errors={fields.password}>
            <Input
              id="reset-password"
              type="password"
              autoComplete="new-password"
              required
              autoFocus
              minLength={10}
              maxLength={200}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              aria-invalid={!!fields.password?.length || undefined}
              aria-describedby={describedBy("reset-password", fields.password, hint)}
            />
          </Field>
          {generalError ? (
            <Alert tone="error" role="alert">
              {refusalText(generalError)}
            </Alert>
          ) : null}
          <DialogFooter>
            <Button variant="ghost" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" variant="primary" disabled={reset.isPending}>
              {reset.isPending ? "Setting…" : "Set password"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
