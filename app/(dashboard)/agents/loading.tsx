import { PageBody } from "@/components/shell/page-header";
import { RepeatSkeleton, Skeletons } from "@/components/shell/route-loading";

export default function Loading() {
  return (
    <PageBody>
      <Skeletons items={["h-6 w-28", "mt-2 mb-5 h-4 w-96"]} />
      <div className="grid gap-3 sm:grid-cols-2 xl:grid-cols-3">
        <RepeatSkeleton count={6} className="h-32" />
      </div>
    </PageBody>
  );
}
