"use client";
import * as React from "react";
import { AlertTriangle, RotateCw } from "lucide-react";
import { cn } from "./cn";
import { Button } from "./button";

/** An error shown in place, with a retry. `error` may be an ApiError (its detail is shown) or anything. */
export function ErrorState({
  title = "Something went wrong",
  error,
  onRetry,
  className,
  compact,
}: {
  title?: React.ReactNode;
  error?: unknown;
  onRetry?: () => void;
  className?: string;
  compact?: boolean;
}) {
  const detail =
    error && typeof error === "object" && "detail" in error && typeof (error as { detail?: unknown }).detail === "string"
      ? (error as { detail: string }).detail
      : error instanceof Error
        ? error.message
        : typeof error === "string"
          ? error
          : null;
  return (
    <div
      role="alert"
      className={cn("flex flex-col items-center justify-center gap-2 rounded-lg border border-status-failed/30 bg-status-failed/5 text-center", compact ? "px-4 py-4" : "px-6 py-10", className)}
    >
      <AlertTriangle className="size-5 text-status-failed" aria-hidden />
      <p className="text-sm font-medium">{title}</p>
      {detail && <p className="max-w-md text-xs break-words text-muted-foreground">{detail}</p>}
      {onRetry && (
        <Button size="sm" variant="outline" onClick={onRetry} className="mt-1">
          <RotateCw /> Try again
        </Button>
      )}
    </div>
  );
}
