"use client";
import * as React from "react";
import { useRouter } from "next/navigation";
import { isApiError } from "@/lib/queries/api";
import { signIn } from "@/lib/queries/auth";
import { safeNext } from "@/lib/url/same-origin";
import { Button } from "@/components/ui/button";
import { FormError, TextField } from "@/components/forms/fields";

export function SignInForm({ next }: { next: string }) {
  const router = useRouter();
  const [email, setEmail] = React.useState("");
  const [password, setPassword] = React.useState("");
  const [busy, setBusy] = React.useState(false);
  const [error, setError] = React.useState<string | null>(null);
  const [fields, setFields] = React.useState<Record<string, string[]>>({});

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    const f: Record<string, string[]> = {};
    if (!email.trim()) f.email = ["Enter your email"];
    if (!password) f.password = ["Enter your password"];
    setFields(f);
    if (Object.keys(f).length) return;
    setBusy(true);
    try {
      await signIn({ email: email.trim(), password });
      router.replace(safeNext(next));
      router.refresh();
    } catch (err) {
      setError(isApiError(err) ? err.detail : "Could not sign in");
      if (isApiError(err) && err.fields && err.status !== 401) setFields(err.fields);
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate className="grid gap-4" aria-label="Sign in">
      <FormError message={error} data-testid="sign-in-error" />
      <TextField id="email" label="Email" errors={fields.email} type="email" name="email" autoComplete="username" autoFocus value={email} onChange={(e) => setEmail(e.target.value)} />
      <TextField
        id="password"
        label="Password"
        errors={fields.password}
        type="password"
        name="password"
        autoComplete="current-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <Button type="submit" variant="primary" disabled={busy} aria-busy={busy} className="w-full">
        {busy ? "Signing in…" : "Sign in"}
      </Button>
    </form>
  );
}
