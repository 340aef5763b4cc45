"use client";
import * as React from "react";

export interface ReviewEnv {
  agentColors: Record<string, string | null>;
  /** Remembered by the queue: output ids in queue order, for "next item" after a decision. */
  setQueueOrder: (ids: string[]) => void;
  /** The item after `id` in the queue (or before it, at the end), skipping `id` itself. */
  nextAfter: (id: string) => string | null;
}

const Ctx = React.createContext<ReviewEnv | null>(null);

export function ReviewProvider({ agentColors, children }: { agentColors: Record<string, string | null>; children: React.ReactNode }) {
  const order = React.useRef<string[]>([]);
  const env = React.useMemo<ReviewEnv>(
    () => ({
      agentColors,
      setQueueOrder: (ids) => {
        order.current = ids;
      },
      nextAfter: (id) => {
        const ids = order.current;
        const i = ids.indexOf(id);
        if (i === -1) return ids[0] ?? null;
        return ids[i + 1] ?? ids[i - 1] ?? null;
      },
    }),
    [agentColors],
  );
  return <Ctx.Provider value={env}>{children}</Ctx.Provider>;
}

export function useReviewEnv(): ReviewEnv {
  const env = React.useContext(Ctx);
  if (!env) throw new Error("useReviewEnv outside <ReviewProvider>");
  return env;
}
