import type { Metadata } from "next";
import { Markdown } from "@/components/markdown/markdown";
import { agentSummary, getInstruction, listAgents, listEvents, listInstructions } from "@/lib/services";
import { getPageContext } from "@/lib/auth/page-context";
import { PageBody } from "@/components/shell/page-header";
import { SetBreadcrumbs } from "@/components/shell/breadcrumbs";
import { InstructionView } from "@/components/instructions/instruction-view";
import { orNotFound, titleOr } from "@/app/(dashboard)/page-data";

type Props = { params: Promise<{ instructionId: string }> };

async function load(id: string) {
  const ctx = await getPageContext();
  return { ctx, instruction: orNotFound(() => getInstruction(ctx, id)) };
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { instructionId } = await params;
  return titleOr("Instruction", async () => (await load(decodeURIComponent(instructionId))).instruction.title);
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
