"use client";
import { priorities as priorityList } from "@/lib/domain/vocabulary";
import * as React from "react";
import { useRouter } from "next/navigation";
import { toast } from "sonner";
import { errorMessage, isApiError } from "@/lib/queries/api";
import { useSendMessage } from "@/lib/queries/messages";
import { hrefs, PEOPLE_INBOX } from "@/lib/queries/links";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogClose } from "@/components/ui/dialog";
import { Field, describedBy } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { SelectField } from "@/components/forms/fields";
import { Textarea } from "@/components/ui/textarea";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/alert";
import { messageTypeLabel } from "@/components/ui/message-type-chip";
import { inboxLabel, useInboxEnv } from "./inbox-context";

const types = ["delegation", "consultation", "status_update", "reminder", "correction_request"];
// Lowest first, as the menu reads.
const priorities = [...priorityList].reverse();

/** A new message from the signed-in person to an agent (or to the people's inbox); compose-button.tsx opens it. */
export function ComposeDialog({
  inboxes,
  open,
  onOpenChange: setOpen,
  returnFocus,
}: {
  inboxes: string[];
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** Focused again when the dialog closes (the button that opened it). */
  returnFocus: React.RefObject<HTMLElement | null>;
}) {
  const { inbox } = useInboxEnv();
  const router = useRouter();
  const agents = inboxes.filter((i) => i !== PEOPLE_INBOX);
  const initialTo = inbox !== PEOPLE_INBOX ? inbox : (agents[0] ?? PEOPLE_INBOX);
  const [form, setForm] = React.useState({ to: initialTo, type: "delegation", priority: "normal", subject: "", body: "" });
  const [errors, setErrors] = React.useState<Record<string, string[]>>({});
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) => {
    setForm((f) => ({ ...f, [k]: e.target.value }));
    if (errors[k]) setErrors(({ [k]: _drop, ...rest }) => rest);
  };

  const send = useSendMessage({
    onSuccess: (m) => {
      toast.success(`Sent to ${inboxLabel(m.to)}`);
      setOpen(false);
      setForm({ to: initialTo, type: "delegation", priority: "normal", subject: "", body: "" });
      router.push(hrefs.thread(m.to, m.threadId));
    },
    onError: (err) => {
      if (isApiError(err) && err.fields) setErrors(err.fields);
      else toast.error("The message was not sent", { description: errorMessage(err) });
    },
  });

  const bodyErrors = errors.body;
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogContent
        className="max-w-lg"
        onCloseAutoFocus={(e) => {
          e.preventDefault();
          returnFocus.current?.focus();
        }}
      >
        <form
          noValidate
          className="grid gap-3"
          onSubmit={(e) => {
            e.preventDefault();
            if (!form.body.trim()) {
              setErrors({ body: ["Write the message first."] });
              return;
            }
            send.mutate({ ...form, to: form.to || initialTo, subject: form.subject.trim() || undefined });
          }}
        >
          <DialogHeader>
            <DialogTitle>New message</DialogTitle>
            <DialogDescription>Sent as you. An agent reads it from its inbox; replies come back to the people&apos;s inbox.</DialogDescription>
          </DialogHeader>
          {send.error && !(isApiError(send.error) && send.error.fields) ? (
            <Alert tone="error" role="alert">
              {errorMessage(send.error)}
            </Alert>
          ) : null}
          <div className="grid grid-cols-[1.5fr_1fr_0.8fr] gap-2">
            <SelectField
              id="compose-to"
              label="To"
              errors={errors.to}
              value={form.to || initialTo}
              onChange={set("to")}
              options={inboxes.filter((i) => i !== "broadcast").map((i) => ({ value: i, label: inboxLabel(i) }))}
            />
            <SelectField id="compose-type" label="Type" errors={errors.type} value={form.type} onChange={set("type")} options={types.map((t) => ({ value: t, label: messageTypeLabel(t) }))} />
            <SelectField id="compose-priority" label="Priority" errors={errors.priority} value={form.priority} onChange={set("priority")} options={priorities} />
          </div>
          <Field id="compose-subject" label="Subject" errors={errors.subject}>
            <Input id="compose-subject" value={form.subject} onChange={set("subject")} maxLength={300} aria-invalid={!!errors.subject?.length} />
          </Field>
          <Field id="compose-body" label="Message" required errors={bodyErrors} hint="Markdown works.">
            <Textarea
              id="compose-body"
              rows={6}
              value={form.body}
              onChange={set("body")}
              aria-required
              aria-invalid={!!bodyErrors?.length}
              aria-describedby={describedBy("compose-body", bodyErrors, true)}
              onKeyDown={(e) => {
                if (e.key === "Enter" && (e.metaKey || e.ctrlKey)) {
                  e.preventDefault();
                  e.currentTarget.form?.requestSubmit();
                }
              }}
            />
          </Field>
          <DialogFooter>
            <DialogClose asChild>
              <Button variant="ghost" size="sm">
                Cancel
              </Button>
            </DialogClose>
            <Button type="submit" variant="primary" size="sm" disabled={send.isPending}>
              {send.isPending ? "Sending…" : "Send"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
