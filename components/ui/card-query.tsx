"use client";
import * as React from "react";
import { Skeleton } from "./skeleton";
import { ErrorState } from "./error-state";

/** What CardQuery reads of a React Query result. */
interface CardQueryState<T> {
  isLoading: boolean;
  error: unknown;
  data: T | undefined;
  refetch: () => unknown;
}

/**
 * The body of a card that shows one query: skeleton lines while it loads (one a class in
 * `skeleton`), the error with "Try again" when it failed with nothing to show, the `empty` line when
 * there is nothing (no data, or `isEmpty`), else `children` with the data.
 */
export function CardQuery<T>({
  query,
  isEmpty,
  empty,
  skeleton = ["h-5 w-2/3", "h-5 w-1/2"],
  children,
}: {
  query: CardQueryState<T>;
  isEmpty: (data: T) => boolean;
  empty: React.ReactNode;
  skeleton?: string[];
  children: (data: T) => React.ReactNode;
}) {
  if (query.isLoading)
    return (
      <div className="grid gap-2 px-4 py-3" role="status" aria-label="Loading">
        {skeleton.map((className, i) => (
          <Skeleton key={i} className={className} />
        ))}
      </div>
    );
  if (query.error && !query.data) return <ErrorState compact error={query.error} onRetry={() => void query.refetch()} className="m-3" />;
  if (!query.data || isEmpty(query.data)) return <p className="px-4 py-3 text-sm text-muted-foreground">{empty}</p>;
  return children(query.data);
}
