/**
 * Holds live events until a listener takes them: the shell subscribes as soon as a person's
 * notifications are on, and hands the events over to the code that shows them once it has loaded
 * (components/notifications/notification-center.tsx loads it on demand), so that none is missed
 * in between. At most `limit` events are held; the oldest are dropped beyond it.
 */
export interface Relay<A extends unknown[]> {
  /** An event: to the listener when there is one, else held. */
  push: (...args: A) => void;
  /** Hands `listener` the events held so far, then each as it comes, until the returned function is called. */
  take: (listener: (...args: A) => void) => () => void;
  /** Drops the events held (notifications turned off before the listener came). */
  clear: () => void;
}

export function relay<A extends unknown[]>(limit = 200): Relay<A> {
  let held: A[] = [];
  let taker: ((...args: A) => void) | null = null;
  return {
    push: (...args) => {
      if (taker) taker(...args);
      else {
        held.push(args);
        if (held.length > limit) held.shift();
      }
    },
    take: (listener) => {
      taker = listener;
      const early = held;
      held = [];
      for (const args of early) listener(...args);
      return () => {
        if (taker === listener) taker = null;
      };
    },
    clear: () => {
      held = [];
    },
  };
}
