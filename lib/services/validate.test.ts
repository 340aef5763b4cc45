import { expect, test } from "vitest";
import { z } from "zod";
import { isServiceError } from "./errors";
import { parseInput } from "./validate";

const NAMES = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "isPrototypeOf"];

test("parseInput names unknown fields, built-in property names included (CLI, MCP and pages get field errors too)", () => {
  const schema = z.strictObject({ title: z.string(), tags: z.record(z.string(), z.number()).optional() });
  for (const name of NAMES) {
    const input = JSON.parse(`{"title": "x", ${JSON.stringify(name)}: 1, "tags": {${JSON.stringify(name)}: "not a number"}}`);
    let caught: unknown;
    try {
      parseInput(schema, input);
    } catch (err) {
      caught = err;
    }
    expect(isServiceError(caught), name).toBe(true);
    const fields = (caught as { fields: Record<string, string[]> }).fields;
    expect(Object.getPrototypeOf(fields), name).toBe(Object.prototype);
    expect(Object.keys(fields), name).toContain(name);
    expect(fields[name], name).toEqual(["Unknown field"]);
    // zod itself drops a record's __proto__ key; the others are checked like any key.
    if (name !== "__proto__") expect(fields[`tags.${name}`], name).toHaveLength(1);
  }
});
