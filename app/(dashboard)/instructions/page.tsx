import { instructionPhases } from "@/lib/domain/vocabulary";
import type { Metadata } from "next";
import { listInstructions, type InstructionDto } from "@/lib/services";
import { getPageContext } from "@/lib/auth/page-context";
import { PageBody, PageHeader } from "@/components/shell/page-header";
import { InstructionList } from "@/components/instructions/instruction-list";
import { NewInstructionButton } from "@/components/instructions/new-instruction-button";

export const metadata: Metadata = { title: "Instructions" };

const phases: ReadonlySet<string> = new Set(instructionPhases);

export default async function InstructionsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const ctx = await getPageContext();
  const sp = await searchParams;
  const phase = typeof sp.phase === "string" && phases.has(sp.phase) ? (sp.phase as InstructionDto["phase"]) : undefined;
  const page = listInstructions(ctx, { phase, limit: 50 });
  return (
    <PageBody>
      <PageHeader title="Instructions" meta="What people asked for, newest first. Each one is split into tasks for the agents." actions={<NewInstructionButton />} />
      <InstructionList key={phase ?? "all"} initialPage={page} phase={phase} />
    </PageBody>
  );
}
