import { describe, expect, it } from "vitest";
import { postgresUnavailable, toProblem } from "./problem";

describe("database errors as problems", () => {
  it("answers 503 for PostgreSQL's 'cannot serve now' states, as for SQLite's busy and full, and 500 for the rest", () => {
    for (const code of ["08006", "08001", "53100", "53300", "57P01", "57P03", "57014", "55P03", "25006", "40001", "40P01", "SQLITE_BUSY", "SQLITE_FULL"]) {
      expect(toProblem(Object.assign(new Error("x"), { code })), code).toMatchObject({ status: 503, code: "unavailable" });
    }
    for (const code of ["23505", "42P01", "22P02", "XX000", "57P05", undefined]) {
      expect(postgresUnavailable(code)).toBe(false);
      expect(toProblem(Object.assign(new Error("x"), { code }))).toMatchObject({ status: 500, code: "internal" });
    }
  });
});
