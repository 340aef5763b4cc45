"use client";
import * as React from "react";
import { toast } from "sonner";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { isApiError } from "@/lib/queries/api";
import { useSetUserPassword, type UserDto } from "@/lib/queries/admin";
import { refusalText } from "./people-section";
import { DialogFormFooter, NewPasswordField } from "./dialog-form";

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
          <NewPasswordField id="reset-password" label="New password" hint={hint} errors={fields.password} value={password} onChange={(e) => setPassword(e.target.value)} autoFocus />
          <DialogFormFooter error={generalError ? refusalText(generalError) : null} onCancel={close} pending={reset.isPending} submitLabel="Set password" pendingLabel="Setting…" />
        </form>
      </DialogContent>
    </Dialog>
  );
}
