"use client";
import * as React from "react";
import { Plus, Webhook as WebhookIcon } from "lucide-react";
import { toast } from "sonner";
import { isApiError } from "@/lib/queries/api";
import {
  useCreateWebhook,
  useDeleteWebhook,
  useRotateWebhookSecret,
  useSendTestWebhook,
  useUpdateWebhook,
  useWebhookDeliveries,
  useWebhooks,
  type NewWebhookDto,
  type WebhookDto,
  type WebhookFormat,
} from "@/lib/queries/webhooks";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { CardQuery } from "@/components/ui/card-query";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { Field, describedBy } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { IdText } from "@/components/ui/mono";
import { RelativeTime } from "@/components/ui/relative-time";
import { Select } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { ConfirmMutation } from "./confirm-dialog";
import { TokenSecret } from "./token-secret";
import { DialogFormFooter, DoneFooter } from "./dialog-form";

type Group = { key: string; label: string };

/**
 * Webhooks (docs/webhooks.md): where AgentDesk POSTs the events an admin picks (signed, retried,
 * logged). Add or edit one, pause or resume it, send a test, read its delivery log, rotate its
 * secret (shown once, like a token's), delete it.
 */
export function WebhooksSection() {
  const q = useWebhooks();
  const update = useUpdateWebhook();
  const test = useSendTestWebhook();
  const remove = useDeleteWebhook();
  const rotate = useRotateWebhookSecret();
  const [editing, setEditing] = React.useState<WebhookDto | "new" | null>(null);
  const [deleting, setDeleting] = React.useState<WebhookDto | null>(null);
  const [rotating, setRotating] = React.useState<WebhookDto | null>(null);
  const [secret, setSecret] = React.useState<NewWebhookDto | null>(null);
  const [open, setOpen] = React.useState<string | null>(null);
  const groups = q.data?.eventGroups ?? [];

  return (
    <Card data-testid="settings-webhooks" aria-labelledby="settings-webhooks-title">
      <CardHeader>
        <CardTitle id="settings-webhooks-title">Webhooks</CardTitle>
        {q.data && <span className="text-xs text-muted-foreground tabular-nums">{q.data.items.filter((w) => w.active).length} active</span>}
        <div className="ml-auto">
          <Button size="sm" variant="outline" onClick={() => setEditing("new")}>
            <Plus /> New webhook
          </Button>
        </div>
      </CardHeader>
      <CardQuery
        query={{ isLoading: q.isLoading, error: q.error, data: q.data?.items, refetch: q.refetch }}
        isEmpty={(d) => d.length === 0}
        skeleton={["h-6 w-full", "h-6 w-2/3"]}
        empty={
          <EmptyState
            compact
            icon={<WebhookIcon />}
            title="No webhooks yet"
            description="Send escalations, outputs waiting for review, failed runs or blocked tasks to Slack or your own service: AgentDesk POSTs each event, signed, and retries when the receiver fails."
          />
        }
      >
        {(hooks) => (
          <ul className="divide-y">
            {hooks.map((w) => (
              <li key={w.id} data-webhook={w.id} className="grid gap-1.5 px-4 py-2.5">
                <div className="flex flex-wrap items-center gap-2">
                  <span className="min-w-0 flex-1 truncate font-mono text-xs" title={w.url}>
                    {w.url}
                  </span>
                  {!w.active && <Badge tone="pending">paused</Badge>}
                  <Badge tone="outline">{w.format === "slack" ? "Slack text" : "JSON"}</Badge>
                  <LastAttempt w={w} />
                </div>
                {w.description && <p className="text-sm">{w.description}</p>}
                <div className="flex flex-wrap items-center gap-1">
                  {w.events.map((e) => (
                    <Badge key={e} title={groups.find((g) => g.key === e)?.label}>
                      {e}
                    </Badge>
                  ))}
                  <IdText id={w.id} className="ml-1 text-[11px]" />
                  <span className="text-[11px] text-muted-foreground">secret {w.secretHint}</span>
                </div>
                <div className="flex flex-wrap gap-1">
                  <Button size="xs" variant="ghost" onClick={() => setEditing(w)}>
                    Edit
                  </Button>
                  <Button
                    size="xs"
                    variant="ghost"
                    disabled={update.isPending}
                    onClick={() =>
                      update.mutate(
                        { webhookId: w.id, active: !w.active },
                        { onSuccess: () => toast.success(w.active ? "Webhook paused" : "Webhook resumed"), onError: (err) => toast.error(isApiError(err) ? err.detail : String(err)) },
                      )
                    }
                  >
                    {w.active ? "Pause" : "Resume"}
                  </Button>
                  <Button
                    size="xs"
                    variant="ghost"
                    disabled={test.isPending}
                    onClick={() =>
                      test.mutate(w.id, {
                        onSuccess: () => {
                          setOpen(w.id);
                          toast.success("Test delivery queued: it shows in the log once sent");
                        },
                        onError: (err) => toast.error(isApiError(err) ? err.detail : String(err)),
                      })
                    }
                  >
                    Send test
                  </Button>
                  <Button size="xs" variant="ghost" aria-expanded={open === w.id} onClick={() => setOpen(open === w.id ? null : w.id)}>
                    {open === w.id ? "Hide log" : "Delivery log"}
                  </Button>
                  <Button
                    size="xs"
                    variant="ghost"
                    onClick={() => {
                      rotate.reset();
                      setRotating(w);
                    }}
                  >
                    Rotate secret
                  </Button>
                  <Button
                    size="xs"
                    variant="ghost"
                    className="text-status-failed"
                    aria-label={`Delete webhook ${w.url}`}
                    onClick={() => {
                      remove.reset();
                      setDeleting(w);
                    }}
                  >
                    Delete
                  </Button>
                </div>
                {open === w.id && <DeliveryLog webhookId={w.id} />}
              </li>
            ))}
          </ul>
        )}
      </CardQuery>

      <WebhookDialog key={editing === "new" ? "new" : (editing?.id ?? "closed")} editing={editing} groups={groups} onClose={() => setEditing(null)} />
      <SecretDialog made={secret} onClose={() => setSecret(null)} />
      <ConfirmMutation
        target={rotating}
        onClose={() => setRotating(null)}
        mutation={rotate}
        title="Rotate the signing secret?"
        description="Every delivery from now on, retries included, is signed with the new secret: give it to the receiver at once. The new secret is shown once."
        confirmLabel="Rotate"
        onDone={setSecret}
      />
      <ConfirmMutation
        target={deleting}
        onClose={() => setDeleting(null)}
        mutation={remove}
        title="Delete this webhook?"
        description={`Nothing more is sent to ${deleting?.url ?? ""}; its pending deliveries and its log go with it.`}
        confirmLabel="Delete"
        onDone={() => toast.success("Webhook deleted")}
      />
    </Card>
  );
}

function LastAttempt({ w }: { w: WebhookDto }) {
  const a = w.lastAttempt;
  return (
    <span className="flex items-center gap-1.5 text-xs text-muted-foreground">
      {w.pending > 0 && <Badge tone="progress">{w.pending} pending</Badge>}
      {a ? (
        <>
          <Badge tone={a.ok ? "done" : "failed"} title={a.error ?? undefined}>
            {a.statusCode ?? "no answer"}
          </Badge>
          <RelativeTime date={a.at} />
        </>
      ) : (
        "never sent"
      )}
    </span>
  );
}

const statusTone = { pending: "progress", delivered: "done", failed: "failed" } as const;

/** The newest deliveries of one webhook, each with its attempts (status, time, duration, the answer's first characters). */
function DeliveryLog({ webhookId }: { webhookId: string }) {
  const q = useWebhookDeliveries(webhookId);
  if (q.isPending) return <Skeleton className="h-16 w-full" />;
  if (q.isError)
    return (
      <Alert tone="error" role="alert">
        Could not load the log: {isApiError(q.error) ? q.error.detail : String(q.error)}
      </Alert>
    );
  if (q.data.length === 0) return <p className="text-xs text-muted-foreground">No delivery yet. Send a test, or wait for an event this webhook wants.</p>;
  return (
    <div className="overflow-x-auto rounded-md border" data-testid="webhook-log">
      <table className="w-full text-xs">
        <thead className="bg-muted/50 text-left text-muted-foreground">
          <tr>
            <th className="px-2 py-1 font-medium">Event</th>
            <th className="px-2 py-1 font-medium">State</th>
            <th className="px-2 py-1 font-medium">Attempts</th>
          </tr>
        </thead>
        <tbody className="divide-y align-top">
          {q.data.map((d) => (
            <tr key={d.id} data-delivery={d.id}>
              <td className="px-2 py-1.5">
                <span className="font-medium">{d.verb}</span>
                <IdText id={d.id} className="block text-[11px]" />
                <RelativeTime date={d.createdAt} className="text-muted-foreground" />
              </td>
              <td className="px-2 py-1.5">
                <Badge tone={statusTone[d.status]}>{d.status}</Badge>
                {d.status === "pending" && d.nextAttemptAt && (
                  <span className="block text-muted-foreground">
                    next <RelativeTime date={d.nextAttemptAt} />
                  </span>
                )}
              </td>
              <td className="px-2 py-1.5">
                {d.log.length === 0 ? (
                  <span className="text-muted-foreground">not sent yet</span>
                ) : (
                  <ol className="grid gap-1">
                    {d.log.map((a) => (
                      <li key={a.attempt} className="flex flex-wrap items-baseline gap-x-2">
                        <span className="tabular-nums text-muted-foreground">#{a.attempt}</span>
                        <Badge tone={a.statusCode != null && a.statusCode >= 200 && a.statusCode < 300 ? "done" : "failed"}>{a.statusCode ?? "no answer"}</Badge>
                        <RelativeTime date={a.at} className="text-muted-foreground" />
                        <span className="tabular-nums text-muted-foreground">{a.durationMs} ms</span>
                        {(a.error || a.responseExcerpt) && (
                          <code className="block w-full truncate font-mono text-[11px] text-muted-foreground" title={a.responseExcerpt || a.error || undefined}>
                            {a.error && a.statusCode == null ? a.error : a.responseExcerpt.slice(0, 160)}
                          </code>
                        )}
                      </li>
                    ))}
                  </ol>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const splitExtra = (s: string) =>
  s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);

/** Add a webhook, or edit one. After creation the dialog shows the signing secret (once) instead of the form. */
function WebhookDialog({ editing, groups, onClose }: { editing: WebhookDto | "new" | null; groups: Group[]; onClose: () => void }) {
  const create = useCreateWebhook();
  const update = useUpdateWebhook();
  const current = editing && editing !== "new" ? editing : null;
  const groupKeys = new Set(groups.map((g) => g.key));
  const [url, setUrl] = React.useState(current?.url ?? "");
  const [description, setDescription] = React.useState(current?.description ?? "");
  const [chosen, setChosen] = React.useState<string[]>(current ? current.events.filter((e) => groupKeys.has(e)) : ["escalations", "awaiting_review", "runs_failed"]);
  const [extra, setExtra] = React.useState(current ? current.events.filter((e) => !groupKeys.has(e)).join(", ") : "");
  const [format, setFormat] = React.useState<WebhookFormat>(current?.format ?? "json");
  const [made, setMade] = React.useState<NewWebhookDto | null>(null);
  const m = current ? update : create;
  const fields = isApiError(m.error) ? (m.error.fields ?? {}) : {};
  const eventErrors = Object.entries(fields)
    .filter(([k]) => k.startsWith("events"))
    .flatMap(([, v]) => v);
  const generalError = m.error && !fields.url && eventErrors.length === 0 && !fields.description ? m.error : null;
  const close = () => {
    setMade(null);
    create.reset();
    update.reset();
    onClose();
  };
  return (
    <Dialog open={!!editing} onOpenChange={(o) => !o && close()}>
      <DialogContent className="max-w-lg">
        {made ? (
          <>
            <DialogHeader>
              <DialogTitle>Webhook added</DialogTitle>
              <DialogDescription>Give this signing secret to the receiver: it checks the AgentDesk-Signature header of each delivery with it.</DialogDescription>
            </DialogHeader>
            <TokenSecret token={made.secret}>
              <p className="text-xs text-muted-foreground">How to check a signature: docs/webhooks.md.</p>
            </TokenSecret>
            <DoneFooter onDone={close} />
          </>
        ) : (
          <form
            className="grid gap-3"
            onSubmit={(e) => {
              e.preventDefault();
              const body = { url: url.trim(), description: description.trim(), events: [...chosen, ...splitExtra(extra)], format };
              if (current)
                update.mutate(
                  { webhookId: current.id, ...body },
                  {
                    onSuccess: () => {
                      toast.success("Webhook saved");
                      close();
                    },
                  },
                );
              else create.mutate(body, { onSuccess: (w) => setMade(w) });
            }}
          >
            <DialogHeader>
              <DialogTitle>{current ? "Edit webhook" : "New webhook"}</DialogTitle>
              <DialogDescription>AgentDesk POSTs each chosen event to this URL, signed with a secret shown once, and retries for about nine hours when it fails.</DialogDescription>
            </DialogHeader>
            <Field id="webhook-url" label="URL" required hint="http:// or https://. Loopback and private addresses are refused unless the server allows them." errors={fields.url}>
              <Input
                id="webhook-url"
                type="url"
                autoFocus
                autoComplete="off"
                placeholder="https://hooks.slack.com/services/…"
                value={url}
                onChange={(e) => setUrl(e.target.value)}
                aria-invalid={!!fields.url?.length || undefined}
                aria-describedby={describedBy("webhook-url", fields.url, true)}
              />
            </Field>
            <Field id="webhook-description" label="Description" errors={fields.description}>
              <Input id="webhook-description" autoComplete="off" maxLength={200} value={description} onChange={(e) => setDescription(e.target.value)} />
            </Field>
            <fieldset className="grid gap-1.5">
              <legend className="mb-1 text-sm font-medium">Events</legend>
              {groups.map((g) => (
                <label key={g.key} className="flex items-start gap-2 text-sm">
                  <input
                    type="checkbox"
                    className="mt-1 accent-primary"
                    checked={chosen.includes(g.key)}
                    onChange={(e) => setChosen(e.target.checked ? [...chosen, g.key] : chosen.filter((k) => k !== g.key))}
                  />
                  <span>
                    {g.label} <code className="text-[11px] text-muted-foreground">{g.key}</code>
                  </span>
                </label>
              ))}
              <Field
                id="webhook-extra"
                label="Other events"
                hint="Verbs or prefixes, comma-separated: task.completed, task.*, output.*, or * for everything."
                errors={eventErrors.length ? eventErrors : undefined}
              >
                <Input
                  id="webhook-extra"
                  autoComplete="off"
                  placeholder="task.*"
                  value={extra}
                  onChange={(e) => setExtra(e.target.value)}
                  aria-describedby={describedBy("webhook-extra", eventErrors.length ? eventErrors : undefined, true)}
                />
              </Field>
            </fieldset>
            <Field id="webhook-format" label="Body" hint='Slack text: {"text": …} with a sentence and a link, for Slack (or Mattermost, Discord /slack) incoming webhooks.'>
              <Select id="webhook-format" value={format} onChange={(e) => setFormat(e.target.value as WebhookFormat)}>
                <option value="json">AgentDesk JSON (the event, a summary, a link)</option>
                <option value="slack">Slack text</option>
              </Select>
            </Field>
            <DialogFormFooter
              error={generalError ? (isApiError(generalError) ? generalError.detail : String(generalError)) : null}
              onCancel={close}
              pending={m.isPending}
              submitLabel={current ? "Save" : "Add webhook"}
              pendingLabel="Saving…"
            />
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}

/** A rotated secret, shown once. */
function SecretDialog({ made, onClose }: { made: NewWebhookDto | null; onClose: () => void }) {
  return (
    <Dialog open={!!made} onOpenChange={(o) => !o && onClose()}>
      <DialogContent className="max-w-lg">
        <DialogHeader>
          <DialogTitle>New signing secret</DialogTitle>
          <DialogDescription>For {made?.url}. The old secret no longer verifies.</DialogDescription>
        </DialogHeader>
        {made && <TokenSecret token={made.secret} />}
        <DoneFooter onDone={onClose} />
      </DialogContent>
    </Dialog>
  );
}
