"use client";
import Link from "next/link";
import type { OutputDetail } from "@/lib/services";
import { hrefs } from "@/lib/queries/links";
import { RelativeTime } from "@/components/ui/relative-time";
import { statusLabel } from "@/components/ui/status";

type Version = OutputDetail["versions"][number];

/** Why this version cannot be decided on any more (superseded, or already reviewed), with a link to the latest. */
export function NotReviewableReason({ output, reviews, latest, qs }: { output: Version; reviews: OutputDetail["reviews"]; latest: Version; qs: string }) {
  const id = output.id;
  const lastReview = reviews.find((r) => r.outputId === id);
  if (output.status === "superseded")
    return (
      <>
        v{output.version} was superseded by a newer version, so it can no longer be reviewed.{" "}
        <Link href={`${hrefs.output(latest.id)}${qs}`} className="font-medium underline underline-offset-2">
          Review v{latest.version}, the latest
        </Link>
        .
      </>
    );
  return (
    <>
      {statusLabel(output.status).replace(/^./, (c) => c.toUpperCase())}
      {lastReview && (
        <>
          {" "}
          by {lastReview.reviewer} <RelativeTime date={lastReview.createdAt} />
        </>
      )}
      . Only a version awaiting review can be approved or sent back.
      {latest.id !== id && (
        <>
          {" "}
          <Link href={`${hrefs.output(latest.id)}${qs}`} className="font-medium underline underline-offset-2">
            See v{latest.version}, the latest
          </Link>
          .
        </>
      )}
    </>
  );
}
