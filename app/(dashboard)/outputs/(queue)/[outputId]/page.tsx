import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getOutput, isServiceError, type ServiceContext } from "@/lib/services";
import { getPageContext } from "@/lib/auth/page-context";
import { OutputReview } from "@/components/review/output-review";
import { RenderedOutput } from "@/components/review/rendered-output";
import { routeParam } from "@/components/inbox/params";
import { Markdown } from "@/components/markdown/markdown";

type Params = Promise<{ outputId: string }>;

function loadOutput(ctx: ServiceContext, outputId: string) {
  try {
    return getOutput(ctx, outputId);
  } catch (err) {
    if (isServiceError(err) && err.code === "not_found") notFound();
    throw err;
  }
}

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const ctx = await getPageContext();
  try {
    const d = getOutput(ctx, routeParam((await params).outputId));
    return { title: `Review · ${d.task.title} v${d.output.version}` };
  } catch {
    return { title: "Review" };
  }
}

export default async function OutputPage({ params }: { params: Params }) {
  const ctx = await getPageContext();
  const detail = loadOutput(ctx, routeParam((await params).outputId));
  return (
    <OutputReview
      key={detail.output.id}
      initial={detail}
      rendered={<RenderedOutput output={detail.output} />}
      comments={Object.fromEntries(detail.reviews.filter((r) => r.comment.trim()).map((r) => [r.id, { text: r.comment, node: <Markdown compact>{r.comment}</Markdown> }]))}
      canReview={ctx.actor.role !== "viewer"}
      me={ctx.actor.email}
    />
  );
}
