import { listAgents, listReviewQueue } from "@/lib/services";
import { getPageContext } from "@/lib/auth/page-context";
import { ReviewShell } from "@/components/review/review-shell";

// A route group, so that outputs/loading.tsx (one level up) covers this layout while it loads.
export default async function ReviewLayout({ children }: { children: React.ReactNode }) {
  const ctx = await getPageContext();
  // Layouts do not see the query string: this is the default queue (awaiting review); another
  // `?status=` is fetched by the queue itself.
  const firstPage = listReviewQueue(ctx, { status: "pending_review" });
  const agentColors = Object.fromEntries(listAgents(ctx, { includeInactive: true }).map((a) => [a.name, a.color ?? null]));
  return (
    <ReviewShell initialPage={firstPage} agentColors={agentColors}>
      {children}
    </ReviewShell>
  );
}
