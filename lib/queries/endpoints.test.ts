import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { v1OpenApiDocument } from "@/lib/http/v1";
import { endpoints, urlOf, type Endpoint } from "./endpoints";

type Doc = { paths: Record<string, Record<string, unknown>> };

/** "METHOD /path" of every endpoint the document does not serve with that method. */
function notInDocument(table: Record<string, Endpoint>, doc: Doc): string[] {
  return Object.values(table)
    .filter((e) => !doc.paths[e.path]?.[e.method])
    .map((e) => `${e.method.toUpperCase()} ${e.path}`);
}

const root = path.resolve(import.meta.dirname, "../..");

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.(ts|tsx)$/.test(name) && !/\.test\.tsx?$/.test(name)) out.push(p);
  }
  return out;
}

describe("the browser's client layer", () => {
  const doc = v1OpenApiDocument() as unknown as Doc;

  it("calls only paths the OpenAPI document serves, with the method it serves them with", () => {
    expect(notInDocument(endpoints, doc)).toEqual([]);
  });

  it("would notice a path or a method the API does not serve", () => {
    const wrong = {
      typo: { ...endpoints.task, path: "/task/{taskId}" },
      method: { ...endpoints.thread, method: "post" },
    } as unknown as Record<string, Endpoint>;
    expect(notInDocument(wrong, doc)).toEqual(["GET /task/{taskId}", "POST /threads/{threadId}"]);
  });

  it("declares the query parameters the API takes for the agents list in short", () => {
    const op = doc.paths[endpoints.agentSummaries.path]?.get as { parameters?: { name: string; in: string; schema?: { enum?: string[] } }[] } | undefined;
    const view = op?.parameters?.find((p) => p.in === "query" && p.name === "view");
    expect(view?.schema?.enum).toContain("summary");
    expect(endpoints.agent.path).toBe("/agents/{agentName}");
  });

  it("fills and encodes path parameters, and refuses a missing one", () => {
    expect(urlOf(endpoints.task.path, { taskId: "a/b c" })).toBe("/api/v1/tasks/a%2Fb%20c");
    expect(() => urlOf(endpoints.reply.path, {})).toThrow(/messageId/);
  });

  it("is the only place that builds /api/v1 URLs, and query keys come from the key factory", () => {
    const offenders: string[] = [];
    for (const dir of ["components", "app", "lib/queries"]) {
      for (const file of sources(path.join(root, dir))) {
        const rel = path.relative(root, file);
        const text = readFileSync(file, "utf8");
        if (rel !== "lib/queries/endpoints.ts" && /["'`]\/api\/v1\b/.test(text)) offenders.push(`${rel}: builds an /api/v1 URL`);
        if (rel !== "lib/queries/keys.ts" && /queryKey:\s*\[/.test(text)) offenders.push(`${rel}: inline query key`);
        if (!rel.startsWith("lib/queries/") && /\bapiFetch\b|\bapi\.(get|post|patch|del)\b/.test(text)) offenders.push(`${rel}: calls the API itself`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
