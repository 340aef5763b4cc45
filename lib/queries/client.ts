"use client";
import { MutationCache, QueryCache, QueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { errorMessage, isApiError } from "./api";

declare module "@tanstack/react-query" {
  interface Register {
    mutationMeta: {
      /** Do not toast failures of this mutation (the form shows them itself). */
      silent?: boolean;
      /** Toast title on failure, e.g. "Could not move the task". */
      errorTitle?: string;
    };
  }
}

function toSignIn() {
  if (typeof window === "undefined" || window.location.pathname.startsWith("/sign-in")) return;
  const next = window.location.pathname + window.location.search;
  // A full navigation on purpose: it drops every cached query of the expired session.
  // eslint-disable-next-line @next/next/no-location-assign-relative-destination
  window.location.assign(`/sign-in?next=${encodeURIComponent(next)}`);
}

/**
 * The app's QueryClient. Data is kept fresh by the live event stream, so queries do not refetch
 * on focus; a failed mutation toasts its problem detail unless `meta.silent`; a 401 anywhere sends
 * the person to sign-in.
 */
export function makeQueryClient(): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache({
      onError: (err) => {
        if (isApiError(err) && err.status === 401) toSignIn();
      },
    }),
    mutationCache: new MutationCache({
      onError: (err, _vars, _ctx, mutation) => {
        if (isApiError(err) && err.status === 401) return toSignIn();
        if (mutation.meta?.silent) return;
        toast.error(mutation.meta?.errorTitle ?? "That did not work", { description: errorMessage(err) });
      },
    }),
    defaultOptions: {
      queries: {
        staleTime: 20_000,
        gcTime: 5 * 60_000,
        refetchOnWindowFocus: false,
        retry: (count, err) => !(isApiError(err) && err.status >= 400 && err.status < 500) && count < 2,
      },
      mutations: { retry: false },
    },
  });
}
