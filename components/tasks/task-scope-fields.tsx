"use client";
import { Field, describedBy } from "@/components/ui/field";
import { ListEditor } from "@/components/ui/list-editor";
import type { Errors } from "./new-task-form-state";

type ScopeKey = "acceptanceCriteria" | "filesToModify" | "filesToCreate";

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
  return (
    <>
      <Field id="acceptanceCriteria" label="Acceptance criteria" hint="One per row; Enter adds the next." errors={errors.acceptanceCriteria}>
        <ListEditor
          id="acceptanceCriteria"
          label="Acceptance criterion"
          values={acceptanceCriteria}
          onChange={(v) => onChange("acceptanceCriteria", v)}
          placeholder="e.g. Returns 201 with the order id"
          addLabel="Add criterion"
          invalid={!!errors.acceptanceCriteria?.length}
          describedBy={describedBy("acceptanceCriteria", errors.acceptanceCriteria, "hint")}
        />
      </Field>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field id="filesToModify" label="Files to modify" errors={errors.filesToModify}>
          <ListEditor
            id="filesToModify"
            label="File to modify"
            values={filesToModify}
            onChange={(v) => onChange("filesToModify", v)}
            placeholder="src/payments/service.ts"
            addLabel="Add file"
            mono
            invalid={!!errors.filesToModify?.length}
            describedBy={describedBy("filesToModify", errors.filesToModify)}
          />
        </Field>
        <Field id="filesToCreate" label="Files to create" errors={errors.filesToCreate}>
          <ListEditor
            id="filesToCreate"
            label="File to create"
            values={filesToCreate}
            onChange={(v) => onChange("filesToCreate", v)}
            placeholder="app/api/orders/route.ts"
            addLabel="Add file"
            mono
            invalid={!!errors.filesToCreate?.length}
            describedBy={describedBy("filesToCreate", errors.filesToCreate)}
          />
        </Field>
      </div>
    </>
  );
}
