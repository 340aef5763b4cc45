import type { OverviewCharts } from "@/lib/services/charts";
import { Section } from "@/components/shell/page-header";
import { Card } from "@/components/ui/card";
import { CompletedChart } from "@/components/charts/completed-chart";
import { ReviewChart } from "@/components/charts/review-chart";
import { ChartRefresh } from "@/components/charts/chart-refresh";

/**
 * The overview's pictures of the work drawn on the server (overviewCharts): tasks completed per day
 * and the time from hand-in to review decision. Redrawn by ChartRefresh when a task is completed or
 * a review decided; the open work per agent and the cost per day are the live cards beside them.
 */
export function WorkCharts({ data }: { data: OverviewCharts }) {
  const completed = data.completed.reduce((n, d) => n + d.completed, 0);
  return (
    <div className="mt-6 grid gap-6 lg:grid-cols-2 [&>*]:min-w-0" data-testid="work-charts">
      <ChartRefresh scope={{ kind: "overview" }} drawnAt={data.drawnAt} />
      <Section title={`Tasks completed · last ${data.days} days`} id="completed-per-day">
        {completed === 0 ? (
          <CompletedChart days={data.completed} />
        ) : (
          <Card className="px-4 py-3">
            <CompletedChart days={data.completed} />
          </Card>
        )}
      </Section>
      <Section title={`Review turnaround · last ${data.days} days`} id="review-turnaround">
        {data.reviews.decisions === 0 ? (
          <ReviewChart data={data.reviews} lookbackDays={data.reviewLookbackDays} />
        ) : (
          <Card className="px-4 py-3">
            <ReviewChart data={data.reviews} lookbackDays={data.reviewLookbackDays} />
          </Card>
        )}
      </Section>
    </div>
  );
}
