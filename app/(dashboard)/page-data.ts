import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { isServiceError, type ServiceErrorCode } from "@/lib/services";

/**
 * A service read for a route: when the service says the thing is not there (or one of `codes`),
 * the route's not-found.tsx renders instead; any other error goes to error.tsx.
 */
export function orNotFound<T>(read: () => T, codes: readonly ServiceErrorCode[] = ["not_found"]): T {
  try {
    return read();
  } catch (err) {
    if (isServiceError(err) && codes.includes(err.code)) notFound();
    throw err;
  }
}

/** A detail page's <title>: the thing's own, or `fallback` when it cannot be read. */
export async function titleOr(fallback: string, title: () => string | Promise<string>): Promise<Metadata> {
  try {
    return { title: await title() };
  } catch {
    return { title: fallback };
  }
}
