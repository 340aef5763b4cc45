"use client";
import * as React from "react";
import { useRouter } from "next/navigation";
import { toast } from "sonner";
import { isApiError } from "@/lib/queries/api";
import { useCreateInstruction } from "@/lib/queries/instructions";
import { hrefs } from "@/lib/queries/links";
import { Field, describedBy } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/alert";
import { MarkdownEditor } from "@/components/markdown/markdown-editor";
import { priorities, tierNames } from "./tier";

type Errors = Record<string, string[]>;

export function NewInstructionForm() {
  const router = useRouter();
  const [title, setTitle] = React.useState("");
  const [body, setBody] = React.useState("");
  const [tier, setTier] = React.useState(1);
  const [priority, setPriority] = React.useState("normal");
  const [errors, setErrors] = React.useState<Errors>({});
  const [formError, setFormError] = React.useState<string | null>(null);

  const create = useCreateInstruction({
    onSuccess: (inst) => {
      toast.success("Instruction created", { description: inst.id });
      router.push(hrefs.instruction(inst.id));
    },
    onError: (err) => {
      if (isApiError(err) && err.fields) setErrors(err.fields);
      setFormError(isApiError(err) ? err.detail : "Could not create the instruction");
    },
  });

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    setFormError(null);
    const errs: Errors = {};
    if (!title.trim()) errs.title = ["Title is required"];
    setErrors(errs);
    if (Object.keys(errs).length) return;
    create.mutate({ title: title.trim(), body, tier, priority });
  };

  return (
    <form onSubmit={submit} noValidate className="grid max-w-3xl gap-4" aria-label="New instruction">
      {formError && (
        <Alert tone="error" role="alert">
          {formError}
        </Alert>
      )}
      <Field id="title" label="Title" required errors={errors.title}>
        <Input
          id="title"
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          maxLength={200}
          placeholder="e.g. Add an orders API with payments"
          autoFocus
          aria-invalid={!!errors.title?.length || undefined}
          aria-describedby={describedBy("title", errors.title)}
        />
      </Field>
      <Field id="body" label="What you need" hint="Markdown. Context, constraints, what done looks like." errors={errors.body}>
        <MarkdownEditor
          id="body"
          label="What you need"
          value={body}
          onChange={setBody}
          rows={12}
          invalid={!!errors.body?.length}
          describedBy={describedBy("body", errors.body, "hint")}
        />
      </Field>
      <div className="grid grid-cols-2 gap-4 sm:max-w-md">
        <Field id="tier" label="Complexity" errors={errors.tier}>
          <Select id="tier" value={tier} onChange={(e) => setTier(Number(e.target.value))} aria-describedby={describedBy("tier", errors.tier)}>
            {tierNames.map((n, i) => (
              <option key={n} value={i}>
                {i} · {n}
              </option>
            ))}
          </Select>
        </Field>
        <Field id="priority" label="Priority" errors={errors.priority}>
          <Select id="priority" value={priority} onChange={(e) => setPriority(e.target.value)} aria-describedby={describedBy("priority", errors.priority)}>
            {priorities.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </Select>
        </Field>
      </div>
      <div className="flex items-center gap-2 pt-1">
        <Button type="submit" variant="primary" disabled={create.isPending} aria-busy={create.isPending}>
          {create.isPending ? "Creating…" : "Create instruction"}
        </Button>
        <Button type="button" variant="ghost" onClick={() => router.back()}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
