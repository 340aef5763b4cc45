import "server-only";
/**
 * How deep the running code is inside a status-change function (transitionTask, transitionStep,
 * transitionOutput and their bulk forms). Only those functions write a status column; the guard
 * test (status-guard.test.ts) installs SQLite triggers that refuse any status write made while this
 * is zero, and walks every verb. A counter rather than a flag: a move may nest another's helper.
 */
let depth = 0;

/** Runs a status write as the state machine's own (the caller has checked the move). */
export function writingStatus<T>(write: () => T): T {
  depth++;
  try {
    return write();
  } finally {
    depth--;
  }
}

/** For the guard test: true while a status-change function is writing. */
export const insideStatusChange = (): boolean => depth > 0;
