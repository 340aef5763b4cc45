import { PageBody } from "@/components/shell/page-header";
import { SkeletonRows } from "@/components/ui/skeleton";
import { Skeletons } from "@/components/shell/route-loading";

export default function Loading() {
  return (
    <PageBody>
      <Skeletons items={["mb-2 h-6 w-40", "mb-5 h-4 w-96", "mb-3 h-8 w-48"]} />
      <SkeletonRows rows={10} rowClassName="h-12" />
    </PageBody>
  );
}
