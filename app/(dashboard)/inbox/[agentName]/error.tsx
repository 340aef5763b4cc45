"use client";
import RouteError from "@/components/shell/route-error";

export default function SegmentError(props: { error: unknown; retry: () => void }) {
  return <RouteError {...props} what="thread" />;
}
