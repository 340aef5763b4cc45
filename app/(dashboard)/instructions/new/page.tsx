import type { Metadata } from "next";
import { getPageContext } from "@/lib/auth/page-context";
import { PageBody, PageHeader } from "@/components/shell/page-header";
import { SetBreadcrumbs } from "@/components/shell/breadcrumbs";
import { NewInstructionForm } from "@/components/instructions/new-instruction-form";

export const metadata: Metadata = { title: "New instruction" };

export default async function NewInstructionPage() {
  await getPageContext();
  return (
    <PageBody>
      <SetBreadcrumbs items={[{ label: "Instructions", href: "/instructions" }, { label: "New instruction" }]} />
      <PageHeader title="New instruction" meta="Describe the work; you assign tasks to agents from it next." />
      <NewInstructionForm />
    </PageBody>
  );
}
