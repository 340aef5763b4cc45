"use client";
import * as React from "react";
import { useRouter } from "next/navigation";
import { eventsSince, noteDrawn, subscribeLiveEvents, subscribeLiveGaps, useLiveState, type ChangeEvent } from "./live";

/**
 * The charts (components/charts) are drawn on the server, in the page's server component, so no
 * query key holds their data: a page keeps them current by asking the server for a fresh render
 * (router.refresh) when an event that changes what they draw arrives, at most once per interval.
 * What each page's charts draw, and so which events redraw them:
 */
export type ChartScope =
  /** Tasks completed per day and review turnaround (the overview). */
  | { kind: "overview" }
  /** An agent's steps and tasks per day and its step durations (the agent page). */
  | { kind: "agent"; agent: string }
  /** A task's step timeline: steps, rounds, runs, outputs and decisions (the task page). */
  | { kind: "task"; taskId: string };

/** Verbs that never change a chart: log flushes of a running agent, tool activity on a step. */
const noise = new Set(["run.output", "step.activity"]);
/** The decisions and completions the overview and an agent's page count. */
const countedVerbs = new Set(["task.completed", "task.changes_requested", "output.approved", "output.changes_requested"]);

/** Whether `e` changes what the charts of `scope` draw. */
export function chartEventMatches(scope: ChartScope, e: ChangeEvent): boolean {
  if (noise.has(e.verb)) return false;
  switch (scope.kind) {
    case "overview":
      return countedVerbs.has(e.verb);
    case "agent":
      // Its own step reports and hand-ins, and the decisions on anyone's work (the event does not
      // name the task's agent; a decision is rare enough to redraw for).
      return (e.actor.kind === "agent" && e.actor.id === scope.agent && (e.entityKind === "step" || e.entityKind === "task")) || countedVerbs.has(e.verb);
    case "task":
      return e.taskId === scope.taskId && (e.entityKind === "step" || e.entityKind === "task" || e.entityKind === "run" || e.entityKind === "output");
  }
}

const DAY_MS = 86_400_000;

/**
 * The pacing of a chart refresh, apart from React and the DOM: `request()` asks for one; `refresh`
 * runs a second later at the earliest and `minIntervalMs` after the previous one, once for any
 * number of requests in between; while `hidden()` it waits, and `shown()` (the tab is visible
 * again) runs what waited.
 */
export function refreshPacer(refresh: () => void, hidden: () => boolean, minIntervalMs: number) {
  let last = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let waiting = false;
  const run = () => {
    timer = null;
    if (hidden()) {
      waiting = true;
      return;
    }
    waiting = false;
    last = Date.now();
    refresh();
  };
  const request = () => {
    if (timer) return;
    timer = setTimeout(run, Math.max(1000, last + minIntervalMs - Date.now()));
  };
  return {
    request,
    shown: () => {
      if (waiting && !hidden()) request();
    },
    stop: () => {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}

/**
 * Whether charts of `scope` drawn when `drawnAt` was the last event miss something this document
 * received before they were mounted (eventsSince): true when a received event would redraw them, or
 * when that cannot be told.
 */
export function missedSinceDrawn(scope: ChartScope, drawnAt: number): boolean {
  const missed = eventsSince(drawnAt);
  return missed === null || missed.some((e) => chartEventMatches(scope, e));
}

/**
 * Redraws the server-drawn charts of `scope`: router.refresh() on a matching event, paced by
 * refreshPacer (at most once per `minIntervalMs`, never while the tab is hidden), when the charts
 * mount after a matching event had already arrived (`drawnAt`: the last event when they were drawn,
 * the chart data's drawnAt), after the event stream reconnects or says it may have missed events,
 * when the UTC day turns (the charts' days move on), and every `periodMs` if given (a task at work:
 * its running bars reach up to now).
 */
export function useChartRefresh(scope: ChartScope, drawnAt: number, minIntervalMs = 10_000, periodMs?: number): void {
  const router = useRouter();
  const live = useLiveState();
  const key = JSON.stringify(scope);
  const request = React.useRef<() => void>(() => {});

  React.useEffect(() => {
    const s = JSON.parse(key) as ChartScope;
    const pacer = refreshPacer(
      () => router.refresh(),
      () => document.hidden,
      minIntervalMs,
    );
    request.current = pacer.request;
    const off = subscribeLiveEvents((e) => {
      if (chartEventMatches(s, e)) pacer.request();
    });
    const offGaps = subscribeLiveGaps(pacer.request);
    document.addEventListener("visibilitychange", pacer.shown);
    const midnight = setTimeout(pacer.request, DAY_MS - (Date.now() % DAY_MS) + 1000);
    const period = periodMs ? setInterval(pacer.request, periodMs) : null;
    return () => {
      off();
      offGaps();
      pacer.stop();
      clearTimeout(midnight);
      if (period) clearInterval(period);
      document.removeEventListener("visibilitychange", pacer.shown);
      request.current = () => {};
    };
  }, [router, key, minIntervalMs, periodMs]);

  // Each drawing (the first, and each refresh's): what arrived between the server render and now.
  React.useEffect(() => {
    noteDrawn(drawnAt);
    if (missedSinceDrawn(JSON.parse(key) as ChartScope, drawnAt)) request.current();
  }, [key, drawnAt]);

  // A stream that had to reconnect may have missed events.
  const was = React.useRef(live);
  React.useEffect(() => {
    if (was.current === "reconnecting" && live === "live") request.current();
    was.current = live;
  }, [live]);
}
