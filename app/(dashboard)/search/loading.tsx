import { SkeletonRows } from "@/components/ui/skeleton";

export default function Loading() {
  return (
    <div className="mx-auto w-full max-w-4xl p-6">
      <SkeletonRows rows={6} rowClassName="h-16" />
    </div>
  );
}
