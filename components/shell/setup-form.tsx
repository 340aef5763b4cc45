"use client";
import * as React from "react";
import { useRouter } from "next/navigation";
import { isApiError } from "@/lib/queries/api";
import { createFirstAdmin } from "@/lib/queries/auth";
import { Button } from "@/components/ui/button";
import { FormError, TextField } from "@/components/forms/fields";

type Errors = Record<string, string[]>;

export function SetupForm() {
  const router = useRouter();
  const [v, setV] = React.useState({ email: "", name: "", password: "", confirm: "" });
  const [errors, setErrors] = React.useState<Errors>({});
  const [error, setError] = React.useState<string | null>(null);
  const [busy, setBusy] = React.useState(false);
  const set = (k: keyof typeof v) => (e: React.ChangeEvent<HTMLInputElement>) => setV((s) => ({ ...s, [k]: e.target.value }));

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    const errs: Errors = {};
    if (!/^\S+@\S+\.\S+$/.test(v.email.trim())) errs.email = ["Enter a valid email address"];
    if (v.password.length < 10) errs.password = ["Use at least 10 characters"];
    if (v.confirm !== v.password) errs.confirm = ["The passwords do not match"];
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      await createFirstAdmin({ email: v.email.trim(), name: v.name.trim(), password: v.password });
      router.replace("/");
      router.refresh();
    } catch (err) {
      setError(isApiError(err) ? err.detail : "Could not create the account");
      if (isApiError(err) && err.fields) setErrors(err.fields);
      setBusy(false);
    }
  };

  const input = (k: keyof typeof v, label: string, props: React.ComponentProps<"input">, hint?: string) => (
    <TextField id={k} label={label} errors={errors[k]} hint={hint} required={k !== "name"} name={k} value={v[k]} onChange={set(k)} {...props} />
  );

  return (
    <form onSubmit={submit} noValidate className="grid gap-4" aria-label="Create the first account">
      <FormError message={error} />
      {input("email", "Email", { type: "email", autoComplete: "username", autoFocus: true })}
      {input("name", "Name", { autoComplete: "name" })}
      {input("password", "Password", { type: "password", autoComplete: "new-password" }, "At least 10 characters.")}
      {input("confirm", "Confirm password", { type: "password", autoComplete: "new-password" })}
      <Button type="submit" variant="primary" disabled={busy} aria-busy={busy} className="w-full">
        {busy ? "Creating…" : "Create admin account"}
      </Button>
    </form>
  );
}
