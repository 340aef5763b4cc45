import "server-only";
import { asc, inArray } from "drizzle-orm";
import { reviews } from "@/db/schema";
import type { ServiceContext } from "../context";

/** The reviews of these output versions (a task's), oldest first; none without a query when there is no version. */
export function reviewsOf(ctx: ServiceContext, outputIds: readonly string[]) {
  if (outputIds.length === 0) return [];
  return ctx.db
    .select()
    .from(reviews)
    .where(inArray(reviews.outputId, [...outputIds]))
    .orderBy(asc(reviews.createdAt))
    .all();
}
