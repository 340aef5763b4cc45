import "server-only";
// Wakes: what should start an agent again (a review, an answer, a message, a dependency done), with
// the loop guard. The run supervisor records them from the events it watches and turns them into runs.
export { recordWake, pendingWakes, wakesOfRun, settleWakes, type WakeLimits } from "./wakes";
export { messageForWake, taskForWake, dependentsReady, hasUnfinishedDependencies } from "./wake-context";
