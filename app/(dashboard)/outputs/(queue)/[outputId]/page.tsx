import type { Metadata } from "next";
import { getOutput } from "@/lib/services";
import { getPageContext } from "@/lib/auth/page-context";
import { OutputReview } from "@/components/review/output-review";
import { RenderedOutput } from "@/components/review/rendered-output";
import { routeParam } from "@/components/inbox/params";
import { Markdown } from "@/components/markdown/markdown";
import { orNotFound, titleOr } from "@/app/(dashboard)/page-data";

type Params = Promise<{ outputId: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const ctx = await getPageContext();
  const { outputId } = await params;
  return titleOr("Review", () => {
    const d = getOutput(ctx, routeParam(outputId));
    return `Review · ${d.task.title} v${d.output.version}`;
  });
}

export default async function OutputPage({ params }: { params: Params }) {
  const ctx = await getPageContext();
  const { outputId } = await params;
  const detail = orNotFound(() => getOutput(ctx, routeParam(outputId)));
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
