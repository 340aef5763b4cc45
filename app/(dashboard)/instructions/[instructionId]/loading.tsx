import { PageBody } from "@/components/shell/page-header";
import { SkeletonListWithAside, Skeletons } from "@/components/shell/route-loading";

export default function Loading() {
  return (
    <PageBody>
      <div className="flex justify-between">
        <Skeletons items={["h-7 w-1/2", "h-7 w-28"]} />
      </div>
      <Skeletons items={["mt-2 h-4 w-96"]} />
      <SkeletonListWithAside className="mt-5 xl:grid-cols-[minmax(0,1fr)_22rem]" aside={["h-32", "h-48"]} />
    </PageBody>
  );
}
