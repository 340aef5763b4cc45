import { expect, test } from "vitest";
import { relay } from "./relay";

test("events pushed before a listener takes them are handed over in order, then each as it comes", () => {
  const r = relay<[string, { relayed: boolean }]>();
  r.push("a", { relayed: false });
  r.push("b", { relayed: true });
  const got: string[] = [];
  const release = r.take((e, from) => got.push(`${e}:${from.relayed}`));
  expect(got).toEqual(["a:false", "b:true"]);
  r.push("c", { relayed: false });
  expect(got).toEqual(["a:false", "b:true", "c:false"]);
  // Released (the notifying component unmounted): held again, for the next listener only.
  release();
  r.push("d", { relayed: false });
  expect(got).toHaveLength(3);
  const next: string[] = [];
  r.take((e) => next.push(e));
  expect(next).toEqual(["d"]);
});

test("clear drops what is held; at most `limit` events are held, the oldest dropped", () => {
  const r = relay<[number]>(3);
  r.push(1);
  r.clear();
  for (const n of [2, 3, 4, 5]) r.push(n);
  const got: number[] = [];
  r.take((n) => got.push(n));
  expect(got).toEqual([3, 4, 5]);
});

test("an older listener's release does not detach a newer one", () => {
  const r = relay<[number]>();
  const first: number[] = [];
  const second: number[] = [];
  const releaseFirst = r.take((n) => first.push(n));
  r.take((n) => second.push(n));
  releaseFirst();
  r.push(1);
  expect(first).toEqual([]);
  expect(second).toEqual([1]);
});
