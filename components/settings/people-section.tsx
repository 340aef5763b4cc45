"use client";
import * as React from "react";
import { UserPlus, Users } from "lucide-react";
import { toast } from "sonner";
import { roles, type Role } from "@/lib/domain/vocabulary";
import { isApiError } from "@/lib/queries/api";
import { isLastAdminError, useChangeUserRole, useCreateUser, useDeleteUser, useUsers, type UserDto } from "@/lib/queries/admin";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { CardQuery } from "@/components/ui/card-query";
import { ColumnHeads } from "@/components/ui/column-heads";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { Field, describedBy } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { RelativeTime } from "@/components/ui/relative-time";
import { Select } from "@/components/ui/select";
import { ConfirmMutation } from "./confirm-dialog";
import { ResetPasswordDialog } from "./reset-password-dialog";
import { DialogFormFooter, NewPasswordField } from "./dialog-form";

export const roleLabels: Record<Role, string> = { admin: "Admin", reviewer: "Reviewer", viewer: "Viewer" };
const roleHints: Record<Role, string> = {
  admin: "everything, including people and tokens",
  reviewer: "assigns work, reviews outputs, answers messages",
  viewer: "reads everything, changes nothing",
};

/** The sentence for a refused role change or removal; the server's own words, with the last-admin case named. */
export function refusalText(err: unknown): string {
  const detail = isApiError(err) ? err.detail : err instanceof Error ? err.message : "That did not work";
  return isLastAdminError(err) ? `Last admin: ${detail}` : detail;
}

/**
 * People: every account with its role, created and last sign-in (when the server says); add one,
 * change a role in place (the last admin cannot be demoted: the server's 409 is shown under the
 * table), remove one after a confirmation.
 */
export function PeopleSection({ initial, meId }: { initial?: UserDto[]; meId: string }) {
  const q = useUsers(initial);
  const changeRole = useChangeUserRole();
  const remove = useDeleteUser();
  const [adding, setAdding] = React.useState(false);
  const [removing, setRemoving] = React.useState<UserDto | null>(null);
  const [resetting, setResetting] = React.useState<UserDto | null>(null);
  const [refusal, setRefusal] = React.useState<{ userId: string; text: string } | null>(null);
  const showLastSeen = !!q.data?.some((u) => u.lastSeenAt !== undefined);

  return (
    <Card data-testid="settings-people" aria-labelledby="settings-people-title">
      <CardHeader>
        <CardTitle id="settings-people-title">People</CardTitle>
        {q.data && <span className="text-xs text-muted-foreground tabular-nums">{q.data.length}</span>}
        <Button size="sm" variant="outline" className="ml-auto" onClick={() => setAdding(true)}>
          <UserPlus /> Add a person
        </Button>
      </CardHeader>
      {refusal && (
        <Alert tone="error" role="alert" className="m-3 mb-0">
          {refusal.text}
        </Alert>
      )}
      <CardQuery
        query={q}
        isEmpty={(d) => d.length === 0}
        skeleton={["h-6 w-full", "h-6 w-full", "h-6 w-2/3"]}
        empty={<EmptyState compact icon={<Users />} title="No accounts yet" description="Add a person: they sign in with the email and the password you give them." />}
      >
        {(users) => (
          <div className="overflow-x-auto">
            <table className="w-full text-sm">
              <ColumnHeads
                className="px-4 py-1.5"
                columns={[
                  { label: "Person" },
                  { label: "Role", className: "w-36" },
                  { label: "Created", className: "w-28" },
                  ...(showLastSeen ? [{ label: "Last sign-in", className: "w-28" }] : []),
                  { label: <span className="sr-only">Actions</span>, className: "w-24" },
                ]}
              />
              <tbody className="divide-y">
                {users.map((u) => {
                  const busy = changeRole.isPending && changeRole.variables?.userId === u.id;
                  return (
                    <tr key={u.id} data-user={u.email}>
                      <td className="px-4 py-2">
                        <span className="block font-medium">
                          {u.name || u.email}
                          {u.id === meId && (
                            <Badge tone="outline" className="ml-1.5">
                              you
                            </Badge>
                          )}
                          {u.disabled && (
                            <Badge tone="cancelled" className="ml-1.5">
                              disabled
                            </Badge>
                          )}
                        </span>
                        {u.name && <span className="block text-xs text-muted-foreground">{u.email}</span>}
                      </td>
                      <td className="px-4 py-2">
                        <label className="sr-only" htmlFor={`role-${u.id}`}>
                          Role of {u.email}
                        </label>
                        <Select
                          id={`role-${u.id}`}
                          value={u.role}
                          disabled={busy}
                          aria-invalid={refusal?.userId === u.id || undefined}
                          onChange={(e) => {
                            const role = e.target.value as Role;
                            setRefusal(null);
                            changeRole.mutate(
                              { userId: u.id, role },
                              {
                                onSuccess: (v) => toast.success(`${v.email} is now ${roleLabels[v.role].toLowerCase()}`),
                                onError: (err) => setRefusal({ userId: u.id, text: refusalText(err) }),
                              },
                            );
                          }}
                        >
                          {roles.map((r) => (
                            <option key={r} value={r}>
                              {roleLabels[r]}
                            </option>
                          ))}
                        </Select>
                      </td>
                      <td className="px-4 py-2 text-xs text-muted-foreground">
                        <RelativeTime date={u.createdAt} />
                      </td>
                      {showLastSeen && <td className="px-4 py-2 text-xs text-muted-foreground">{u.lastSeenAt ? <RelativeTime date={u.lastSeenAt} /> : "never"}</td>}
                      <td className="px-4 py-2 text-right whitespace-nowrap">
                        <Button size="xs" variant="ghost" aria-label={`Reset password for ${u.email}`} onClick={() => setResetting(u)}>
                          Reset password
                        </Button>
                        <Button
                          size="xs"
                          variant="ghost"
                          className="text-status-failed"
                          aria-label={`Remove ${u.email}`}
                          onClick={() => {
                            remove.reset();
                            setRemoving(u);
                          }}
                        >
                          Remove
                        </Button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </CardQuery>

      <AddPersonDialog open={adding} onClose={() => setAdding(false)} />
      <ResetPasswordDialog person={resetting} onClose={() => setResetting(null)} />
      <ConfirmMutation
        target={removing}
        onClose={() => setRemoving(null)}
        mutation={remove}
        formatError={refusalText}
        title={`Remove ${removing?.email ?? ""}?`}
        description={
          removing?.id === meId
            ? "This is your own account: you will be signed out. Their sessions and API tokens go with the account. This cannot be undone."
            : "Their sessions and API tokens go with the account; what they did stays in the history. This cannot be undone."
        }
        confirmLabel="Remove"
        onDone={(u) => toast.success(`Removed ${u.email}`)}
      />
    </Card>
  );
}

type PersonForm = { email: string; name: string; role: Role; password: string };
const emptyForm: PersonForm = { email: "", name: "", role: "viewer", password: "" };

/** Create an account: email, name, role and an initial password (at least 10 characters) to hand over. */
export function AddPersonDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const create = useCreateUser();
  const [form, setForm] = React.useState<PersonForm>(emptyForm);
  const fields = isApiError(create.error) ? (create.error.fields ?? {}) : {};
  const generalError = create.error && !Object.keys(fields).length ? create.error : null;
  const set = (k: keyof PersonForm) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setForm((f) => ({ ...f, [k]: e.target.value }));
  const close = () => {
    setForm(emptyForm);
    create.reset();
    onClose();
  };
  const passwordHint = "At least 10 characters. Give it to them over a safe channel.";
  return (
    <Dialog open={open} onOpenChange={(o) => !o && close()}>
      <DialogContent>
        <form
          className="grid gap-3"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate(
              { ...form, email: form.email.trim(), name: form.name.trim() },
              {
                onSuccess: (u) => {
                  toast.success(`Added ${u.email} as ${roleLabels[u.role].toLowerCase()}`);
                  close();
                },
              },
            );
          }}
        >
          <DialogHeader>
            <DialogTitle>Add a person</DialogTitle>
            <DialogDescription>They sign in with this email and password.</DialogDescription>
          </DialogHeader>
          <Field id="person-email" label="Email" required errors={fields.email}>
            <Input
              id="person-email"
              type="email"
              autoComplete="off"
              required
              autoFocus
              value={form.email}
              onChange={set("email")}
              aria-invalid={!!fields.email?.length || undefined}
              aria-describedby={describedBy("person-email", fields.email)}
            />
          </Field>
          <Field id="person-name" label="Name" errors={fields.name}>
            <Input
              id="person-name"
              autoComplete="off"
              value={form.name}
              onChange={set("name")}
              aria-invalid={!!fields.name?.length || undefined}
              aria-describedby={describedBy("person-name", fields.name)}
            />
          </Field>
          <Field id="person-role" label="Role" required hint={roleHints[form.role]} errors={fields.role}>
            <Select id="person-role" value={form.role} onChange={set("role")} aria-describedby={describedBy("person-role", fields.role, roleHints[form.role])}>
              {roles.map((r) => (
                <option key={r} value={r}>
                  {roleLabels[r]}
                </option>
              ))}
            </Select>
          </Field>
          <NewPasswordField id="person-password" label="Initial password" hint={passwordHint} errors={fields.password} value={form.password} onChange={set("password")} />
          <DialogFormFooter error={generalError ? refusalText(generalError) : null} onCancel={close} pending={create.isPending} submitLabel="Add person" pendingLabel="Adding…" />
        </form>
      </DialogContent>
    </Dialog>
  );
}
