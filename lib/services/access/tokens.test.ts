import { afterEach, beforeEach, expect, test } from "vitest";
import { makeTestDb, system } from "@/test/db";
import { countRows } from "@/test/server";
import { createToken, isServiceError } from "@/lib/services";

let t: ReturnType<typeof makeTestDb>;
beforeEach(() => (t = makeTestDb()));
afterEach(() => t.cleanup());

test("a token cannot be minted already expired: 422 with a field error on expiresAt, nothing written", () => {
  const now = 1_800_000_000_000;
  const ctx = t.ctx(system, () => now);
  for (const expiresAt of [now - 86_400_000, now - 1, now]) {
    const before = countRows(t.db);
    let caught: unknown;
    try {
      createToken(ctx, { agent: "backend-developer", expiresAt });
    } catch (err) {
      caught = err;
    }
    expect(isServiceError(caught), String(expiresAt)).toBe(true);
    expect(caught).toMatchObject({ code: "validation_failed", status: 422, fields: { expiresAt: [expect.stringMatching(/future/)] } });
    expect(countRows(t.db)).toEqual(before);
  }
  expect(createToken(ctx, { agent: "backend-developer", expiresAt: now + 60_000 }).expiresAt).toBe(new Date(now + 60_000).toISOString());
  expect(createToken(ctx, { agent: "backend-developer" }).expiresAt).toBeNull();
});
