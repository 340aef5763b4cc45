"use client";
import * as React from "react";
import { Button } from "./button";
import { cn } from "./cn";
import { errorMessage } from "@/lib/queries/api";

/** The "Load more" row under a cursor-paged list; shows the error in place when a page fails. */
export function LoadMore({
  hasMore,
  loading,
  onLoadMore,
  error,
  className,
  label = "Load more",
}: {
  hasMore: boolean;
  loading?: boolean;
  onLoadMore: () => void;
  error?: unknown;
  className?: string;
  label?: string;
}) {
  if (!hasMore) return null;
  return (
    <div className={cn("flex flex-col items-center gap-1 py-2", className)}>
      {error ? (
        <p role="alert" className="text-xs text-status-failed">
          {errorMessage(error)}
        </p>
      ) : null}
      <Button size="sm" variant="ghost" onClick={onLoadMore} disabled={loading} aria-busy={loading}>
        {loading ? "Loading…" : error ? "Try again" : label}
      </Button>
    </div>
  );
}

/** LoadMore under a useCursorList-shaped list, ruled off from its rows. */
export function ListLoadMore({ list }: { list: { hasMore: boolean; isLoadingMore: boolean; loadMore: () => unknown; loadMoreError: unknown } }) {
  return <LoadMore hasMore={list.hasMore} loading={list.isLoadingMore} onLoadMore={() => void list.loadMore()} error={list.loadMoreError} className="border-t" />;
}
