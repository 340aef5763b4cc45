import { describe, expect, it } from "vitest";
import { renderToStaticMarkup } from "react-dom/server";
import { CompletionChecklist } from "./completion-checklist";

describe("the output review page's completion checklist", () => {
  it("shows each criterion with its verdict and evidence, the unverified ones as such, and the manifest's lists", () => {
    const html = renderToStaticMarkup(
      <CompletionChecklist
        manifest={{
          path: "outputs/partial/T1/manifest.yaml",
          items: [
            { criterion: "At most 5 attempts", verdict: "met", evidence: "test passes" },
            { criterion: "429 with Retry-After", verdict: "not_met", evidence: null },
            { criterion: "Counter resets", verdict: "not_verified", evidence: null },
          ],
          extra: [],
          outputsCreated: ["src/auth/ratelimit.py"],
          qualityChecks: [{ name: "failed", items: ["integration suite"] }],
          outstandingWork: ["Add the header"],
          issuesEncountered: [],
          problem: null,
        }}
      />,
    );
    expect(html).toContain("1/3 criteria met");
    expect(html).toMatch(/data-verdict="met".*At most 5 attempts.*test passes.*Met/);
    expect(html).toMatch(/data-verdict="not_met".*Not met/);
    expect(html).toMatch(/data-verdict="not_verified".*Counter resets.*Not verified/);
    expect(html).toContain("Quality checks failed");
    expect(html).toContain("Add the header");
    expect(html).not.toContain("Issues encountered");
  });
});
