/** The review queue's status filter (`?status=`), shared by the server pages and the client queue. */
export const queueStatuses = ["pending_review", "changes_requested", "approved"] as const;
export type QueueStatus = (typeof queueStatuses)[number];

export function parseQueueStatus(v: string | string[] | null | undefined): QueueStatus {
  return typeof v === "string" && (queueStatuses as readonly string[]).includes(v) ? (v as QueueStatus) : "pending_review";
}

export const queueStatusLabel: Record<QueueStatus, string> = {
  pending_review: "Awaiting review",
  changes_requested: "Changes requested",
  approved: "Approved",
};

/** `?status=…` to keep on links inside the review pages (nothing for the default). */
export function statusQuery(status: QueueStatus): string {
  return status === "pending_review" ? "" : `?status=${status}`;
}
