"use client";
import * as React from "react";
import { useRouter } from "next/navigation";
import { toast } from "sonner";
import { isApiError } from "@/lib/queries/api";
import { useCreateInstruction } from "@/lib/queries/instructions";
import { hrefs } from "@/lib/queries/links";
import { Button } from "@/components/ui/button";
import { FormError, MarkdownField, SelectField, TextField } from "@/components/forms/fields";
import { priorities, tierNames } from "./tier";

type Errors = Record<string, string[]>;

const tierOptions = tierNames.map((n, i) => ({ value: i, label: `${i} · ${n}` }));

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
      <FormError message={formError} />
      <TextField
        id="title"
        label="Title"
        required
        errors={errors.title}
        value={title}
        onChange={(e) => setTitle(e.target.value)}
        maxLength={200}
        placeholder="e.g. Add an orders API with payments"
        autoFocus
      />
      <MarkdownField id="body" label="What you need" hint="Markdown. Context, constraints, what done looks like." errors={errors.body} value={body} onChange={setBody} rows={12} />
      <div className="grid grid-cols-2 gap-4 sm:max-w-md">
        <SelectField id="tier" label="Complexity" errors={errors.tier} value={tier} onChange={(e) => setTier(Number(e.target.value))} options={tierOptions} />
        <SelectField id="priority" label="Priority" errors={errors.priority} value={priority} onChange={(e) => setPriority(e.target.value)} options={priorities} />
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
