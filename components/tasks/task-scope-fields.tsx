"use client";
import { Field, describedBy } from "@/components/ui/field";
import { ListEditor } from "@/components/ui/list-editor";
import type { Errors } from "./new-task-form-state";

type ScopeKey = "acceptanceCriteria" | "filesToModify" | "filesToCreate";

/** How each list is labelled and prompted; the two file lists sit side by side under the criteria. */
const scopeLists: Record<ScopeKey, { label: string; itemLabel: string; placeholder: string; addLabel: string; hint?: string; mono?: boolean }> = {
  acceptanceCriteria: {
    label: "Acceptance criteria",
    itemLabel: "Acceptance criterion",
    placeholder: "e.g. Returns 201 with the order id",
    addLabel: "Add criterion",
    hint: "One per row; Enter adds the next.",
  },
  filesToModify: { label: "Files to modify", itemLabel: "File to modify", placeholder: "src/payments/service.ts", addLabel: "Add file", mono: true },
  filesToCreate: { label: "Files to create", itemLabel: "File to create", placeholder: "app/api/orders/route.ts", addLabel: "Add file", mono: true },
};

/** What "done" means for a task and the files it touches: three editable lists. */
export function TaskScopeFields({
  acceptanceCriteria,
  filesToModify,
  filesToCreate,
  onChange,
  errors,
}: {
  acceptanceCriteria: string[];
  filesToModify: string[];
  filesToCreate: string[];
  onChange: (k: ScopeKey, v: string[]) => void;
  errors: Errors;
}) {
  const values: Record<ScopeKey, string[]> = { acceptanceCriteria, filesToModify, filesToCreate };
  const list = (k: ScopeKey) => {
    const { label, itemLabel, placeholder, addLabel, hint, mono } = scopeLists[k];
    return (
      <Field id={k} label={label} hint={hint} errors={errors[k]}>
        <ListEditor
          id={k}
          label={itemLabel}
          values={values[k]}
          onChange={(v) => onChange(k, v)}
          placeholder={placeholder}
          addLabel={addLabel}
          mono={mono}
          invalid={!!errors[k]?.length}
          describedBy={describedBy(k, errors[k], hint)}
        />
      </Field>
    );
  };
  return (
    <>
      {list("acceptanceCriteria")}
      <div className="grid gap-4 sm:grid-cols-2">
        {list("filesToModify")}
        {list("filesToCreate")}
      </div>
    </>
  );
}
