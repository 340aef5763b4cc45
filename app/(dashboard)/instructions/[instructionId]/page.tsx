import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { Markdown } from "@/components/markdown/markdown";
import { agentSummary, getInstruction, isServiceError, listAgents, listEvents, listInstructions } from "@/lib/services";
import { getPageContext } from "@/lib/auth/page-context";
import { PageBody } from "@/components/shell/page-header";
import { SetBreadcrumbs } from "@/components/shell/breadcrumbs";
import { InstructionView } from "@/components/instructions/instruction-view";

type Props = { params: Promise<{ instructionId: string }> };

async function load(id: string) {
  const ctx = await getPageContext();
  try {
    return { ctx, instruction: getInstruction(ctx, id) };
  } catch (err) {
    if (isServiceError(err) && err.code === "not_found") notFound();
    throw err;
  }
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { instructionId } = await params;
  try {
    const { instruction } = await load(decodeURIComponent(instructionId));
    return { title: instruction.title };
  } catch {
    return { title: "Instruction" };
  }
}

export default async function InstructionPage({ params }: Props) {
  const { instructionId } = await params;
  const { ctx, instruction } = await load(decodeURIComponent(instructionId));
  const events = listEvents(ctx, { instructionId: instruction.id, limit: 100 });
  const agents = listAgents(ctx).map(agentSummary);
  const instructions = listInstructions(ctx, { limit: 100 }).items.map((i) => ({ id: i.id, title: i.title, phase: i.phase }));
  return (
    <PageBody>
      <SetBreadcrumbs items={[{ label: "Instructions", href: "/instructions" }, { label: instruction.id, mono: true, href: undefined }, { label: instruction.title }]} />
      <InstructionView instruction={instruction} events={events} agents={agents} instructions={instructions} body={{ text: instruction.body, node: <Markdown>{instruction.body}</Markdown> }} />
    </PageBody>
  );
}
