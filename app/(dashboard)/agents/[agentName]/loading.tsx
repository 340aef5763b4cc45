import { PageBody } from "@/components/shell/page-header";
import { SkeletonListWithAside, Skeletons } from "@/components/shell/route-loading";

export default function Loading() {
  return (
    <PageBody>
      <Skeletons items={["h-6 w-56", "mt-2 h-4 w-2/3", "mt-2 mb-5 h-4 w-64"]} />
      <SkeletonListWithAside className="xl:grid-cols-[minmax(0,1fr)_24rem]" aside={["h-40", "h-56"]} />
    </PageBody>
  );
}
