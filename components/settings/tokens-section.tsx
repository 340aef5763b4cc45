"use client";
import * as React from "react";
import { KeyRound, Plus } from "lucide-react";
import { toast } from "sonner";
import { isApiError } from "@/lib/queries/api";
import { useCreateToken, useRevokeToken, useTokens, type NewTokenDto, type TokenDto, type UserDto } from "@/lib/queries/admin";
import { AgentName } from "@/components/ui/agent-swatch";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { CardQuery } from "@/components/ui/card-query";
import { ColumnHeads } from "@/components/ui/column-heads";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { Field, describedBy } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { IdText } from "@/components/ui/mono";
import { RelativeTime } from "@/components/ui/relative-time";
import { Select } from "@/components/ui/select";
import { ConfirmMutation } from "./confirm-dialog";
import { TokenSecret } from "./token-secret";
import { DialogFormFooter, DoneFooter } from "./dialog-form";

export interface AgentChoice {
  name: string;
  color: string | null;
}

/** Who a token acts as, in words: the agent, or the person (by email when known). */
export function tokenOwner(t: Pick<TokenDto, "agent" | "userId">, users: Pick<UserDto, "id" | "email">[] | undefined): { kind: "agent" | "person"; name: string } {
  if (t.agent) return { kind: "agent", name: t.agent };
  return { kind: "person", name: users?.find((u) => u.id === t.userId)?.email ?? t.userId ?? "unknown" };
}

/**
 * Tokens: every API token (never its secret) with its label, owner, who created it, when, last use
 * and whether it is revoked; mint one for an agent or for oneself (the secret shown once), revoke
 * one after a confirmation.
 */
export function TokensSection({ initial, users, agents, me }: { initial?: TokenDto[]; users?: UserDto[]; agents: AgentChoice[]; me: { id: string; email: string } }) {
  const q = useTokens({}, { initial });
  const revoke = useRevokeToken();
  const [creating, setCreating] = React.useState(false);
  const [revoking, setRevoking] = React.useState<TokenDto | null>(null);
  const [showRevoked, setShowRevoked] = React.useState(false);
  const colorOf = (name: string) => agents.find((a) => a.name === name)?.color ?? null;
  const revokedCount = q.data?.filter((t) => t.revokedAt).length ?? 0;

  return (
    <Card data-testid="settings-tokens" aria-labelledby="settings-tokens-title">
      <CardHeader>
        <CardTitle id="settings-tokens-title">API tokens</CardTitle>
        {q.data && <span className="text-xs text-muted-foreground tabular-nums">{q.data.length - revokedCount} active</span>}
        <div className="ml-auto flex items-center gap-3">
          {revokedCount > 0 && (
            <label className="flex items-center gap-1.5 text-xs text-muted-foreground">
              <input type="checkbox" className="accent-primary" checked={showRevoked} onChange={(e) => setShowRevoked(e.target.checked)} />
              Show {revokedCount} revoked
            </label>
          )}
          <Button size="sm" variant="outline" onClick={() => setCreating(true)}>
            <Plus /> New token
          </Button>
        </div>
      </CardHeader>
      <CardQuery
        query={q}
        isEmpty={(d) => d.length === 0}
        skeleton={["h-6 w-full", "h-6 w-full", "h-6 w-2/3"]}
        empty={
          <EmptyState
            compact
            icon={<KeyRound />}
            title="No tokens yet"
            description="Create one for an agent (its process sends it as a bearer token to /api/mcp or /api/v1), or a personal one for your own scripts."
          />
        }
      >
        {(tokens) => {
          const shown = showRevoked ? tokens : tokens.filter((t) => !t.revokedAt);
          if (shown.length === 0) return <p className="px-4 py-3 text-sm text-muted-foreground">Every token is revoked. Create a new one, or show the revoked ones.</p>;
          return (
            <div className="overflow-x-auto">
              <table className="w-full text-sm">
                <ColumnHeads
                  className="px-4 py-1.5"
                  columns={[
                    { label: "Label" },
                    { label: "For", className: "w-44" },
                    { label: "Created by", className: "w-44" },
                    { label: "Created", className: "w-24" },
                    { label: "Last used", className: "w-24" },
                    { label: <span className="sr-only">State and actions</span>, className: "w-24" },
                  ]}
                />
                <tbody className="divide-y">
                  {shown.map((t) => {
                    const owner = tokenOwner(t, users);
                    return (
                      <tr key={t.id} data-token={t.id} className={t.revokedAt ? "text-muted-foreground" : undefined}>
                        <td className="px-4 py-2">
                          <span className={t.revokedAt ? "line-through" : "font-medium"}>{t.label || <span className="text-muted-foreground italic">no label</span>}</span>
                          <IdText id={t.id} className="block text-[11px]" />
                        </td>
                        <td className="px-4 py-2 text-xs">
                          {owner.kind === "agent" ? (
                            <AgentName name={owner.name} color={colorOf(owner.name)} href />
                          ) : (
                            <span>
                              <span className="text-muted-foreground">person </span>
                              {owner.name}
                            </span>
                          )}
                        </td>
                        <td className="px-4 py-2 text-xs break-all">{t.createdBy ?? <span className="text-muted-foreground">unknown</span>}</td>
                        <td className="px-4 py-2 text-xs text-muted-foreground">
                          <RelativeTime date={t.createdAt} />
                        </td>
                        <td className="px-4 py-2 text-xs text-muted-foreground">{t.lastUsedAt ? <RelativeTime date={t.lastUsedAt} /> : "never"}</td>
                        <td className="px-4 py-2 text-right">
                          {t.revokedAt ? (
                            <Badge tone="cancelled" title={`Revoked ${new Date(t.revokedAt).toLocaleString()}`}>
                              revoked
                            </Badge>
                          ) : (
                            <Button
                              size="xs"
                              variant="ghost"
                              className="text-status-failed"
                              aria-label={`Revoke ${t.label || t.id}`}
                              onClick={() => {
                                revoke.reset();
                                setRevoking(t);
                              }}
                            >
                              Revoke
                            </Button>
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          );
        }}
      </CardQuery>

      <CreateTokenDialog open={creating} onClose={() => setCreating(false)} agents={agents} me={me} />
      <ConfirmMutation
        target={revoking}
        onClose={() => setRevoking(null)}
        mutation={revoke}
        title={`Revoke ${revoking?.label || revoking?.id || "this token"}?`}
        description={`Whatever uses it (${revoking ? tokenOwner(revoking, users).name : ""}) is refused from its next request on. This cannot be undone: create a new token to reconnect.`}
        confirmLabel="Revoke"
        onDone={() => toast.success("Token revoked")}
      />
    </Card>
  );
}

/**
 * Mint a token for an agent or for oneself, with a label. After the server answers, the dialog shows
 * the secret (once) instead of the form; closing it forgets the secret.
 */
export function CreateTokenDialog({ open, onClose, agents, me }: { open: boolean; onClose: () => void; agents: AgentChoice[]; me: { id: string; email: string } }) {
  const create = useCreateToken();
  const [owner, setOwner] = React.useState<string>(agents[0]?.name ? `agent:${agents[0].name}` : "me");
  const [label, setLabel] = React.useState("");
  const [made, setMade] = React.useState<NewTokenDto | null>(null);
  const fields = isApiError(create.error) ? (create.error.fields ?? {}) : {};
  const ownerErrors = fields.agent ?? fields.userId;
  const generalError = create.error && !ownerErrors && !fields.label ? create.error : null;
  const close = () => {
    setMade(null);
    setLabel("");
    create.reset();
    onClose();
  };
  const ownerHint = owner === "me" ? `A personal token acts as you (${me.email}) from scripts and the CLI.` : "The agent's process sends it to /api/mcp or /api/v1 as a bearer token.";
  return (
    <Dialog open={open} onOpenChange={(o) => !o && close()}>
      <DialogContent className="max-w-lg">
        {made ? (
          <>
            <DialogHeader>
              <DialogTitle>Token created</DialogTitle>
              <DialogDescription>
                {made.label || made.id} for {made.agent ? `agent ${made.agent}` : "you"}.
              </DialogDescription>
            </DialogHeader>
            <TokenSecret token={made.token} />
            <DoneFooter onDone={close} />
          </>
        ) : (
          <form
            className="grid gap-3"
            onSubmit={(e) => {
              e.preventDefault();
              const body = owner === "me" ? { userId: me.id, label: label.trim() } : { agent: owner.slice("agent:".length), label: label.trim() };
              create.mutate(body, { onSuccess: (t) => setMade(t) });
            }}
          >
            <DialogHeader>
              <DialogTitle>New API token</DialogTitle>
              <DialogDescription>The secret is shown once, right after you create it.</DialogDescription>
            </DialogHeader>
            <Field id="token-owner" label="For" required hint={ownerHint} errors={ownerErrors}>
              <Select id="token-owner" value={owner} onChange={(e) => setOwner(e.target.value)} aria-describedby={describedBy("token-owner", ownerErrors, ownerHint)}>
                <option value="me">Me (personal token)</option>
                {agents.length > 0 && (
                  <optgroup label="Agents">
                    {agents.map((a) => (
                      <option key={a.name} value={`agent:${a.name}`}>
                        {a.name}
                      </option>
                    ))}
                  </optgroup>
                )}
              </Select>
            </Field>
            <Field id="token-label" label="Name" hint="Where it is used, e.g. laptop, CI, claude-code on the build box." errors={fields.label}>
              <Input
                id="token-label"
                autoFocus
                autoComplete="off"
                maxLength={100}
                value={label}
                onChange={(e) => setLabel(e.target.value)}
                aria-invalid={!!fields.label?.length || undefined}
                aria-describedby={describedBy("token-label", fields.label, true)}
              />
            </Field>
            <DialogFormFooter
              error={generalError ? (isApiError(generalError) ? generalError.detail : String(generalError)) : null}
              onCancel={close}
              pending={create.isPending}
              submitLabel="Create token"
              pendingLabel="Creating…"
            />
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}
