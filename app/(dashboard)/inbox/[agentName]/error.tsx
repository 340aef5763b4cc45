"use client";
import { useEffect } from "react";
import { ErrorState } from "@/components/ui/error-state";

export default function ThreadError({ error, retry }: { error: unknown; retry: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  const digest = error && typeof error === "object" && "digest" in error ? String((error as { digest?: unknown }).digest ?? "") : "";
  return (
    <div className="mx-auto max-w-lg px-6 py-16">
      <ErrorState title="This thread could not be shown" error={digest ? `The server could not load it (reference ${digest}).` : error} onRetry={retry} />
    </div>
  );
}
