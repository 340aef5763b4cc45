"use client";
import { useEffect } from "react";
import { ErrorState } from "@/components/ui/error-state";

/**
 * The error boundary every route segment uses (Next needs an error.tsx per segment; they all
 * re-export this). A server error shows its digest, which the server log has in full.
 */
export default function RouteError({ error, retry, what = "page" }: { error: unknown; retry: () => void; what?: string }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  const digest = error && typeof error === "object" && "digest" in error ? String((error as { digest?: unknown }).digest ?? "") : "";
  return (
    <div className="mx-auto max-w-xl px-6 py-16">
      <ErrorState
        title={`This ${what} could not be shown`}
        error={digest ? `The server could not render it (reference ${digest}). Try again; if it keeps failing, the server log has the details.` : error}
        onRetry={retry}
      />
    </div>
  );
}
