import { expect, test } from "vitest";
import { deriveInstruction, deriveOutput } from "./model";
import { parseYaml } from "./yaml";

const doc = (text: string) => {
  const r = parseYaml(text);
  if (!r.ok) throw new Error(r.reason);
  return r.value as Record<string, unknown>;
};

// Words and keys in the files are the writer's: a built-in property name is just an unknown word.
test("a status word that is a built-in property name is not a phase", () => {
  for (const word of ["constructor", "valueof", "tostring", "hasownproperty", "isprototypeof"]) {
    const fields = deriveInstruction({ id: "inst_20260101_001", instruction: doc("title: Odd"), status: doc(`status: ${word}`) });
    expect(fields.phase, word).toBe("routing");
  }
});

test("a result key that is a built-in property name is not a list of files", () => {
  const text = "task_id: T1\nconstructor:\n  - src/a.ts\ntoString:\n  - src/b.ts\nfiles_created:\n  - src/c.ts\n";
  const d = deriveOutput(doc(text), text, "T1_result.yaml");
  expect(d.ok).toBe(true);
  if (d.ok) expect(d.fields.files).toEqual([{ path: "src/c.ts", action: "created" }]);
});
