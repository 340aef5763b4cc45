import { describe, expect, it } from "vitest";
import { checkResponse, ContractViolation, findOperation } from "@/test/contract";

// test/contract.ts checks every answer of the test server against its route's declared response:
// these make sure that check can fail.
const base = "http://127.0.0.1:1";
const json = (body: unknown, status = 200, type = "application/json") => new Response(JSON.stringify(body), { status, headers: { "content-type": type } });

describe("the response contract check", () => {
  it("finds the static route before the parameterised one", () => {
    expect(findOperation("GET", "/api/v1/tasks/board")?.operationId).toBe("taskBoard");
    expect(findOperation("GET", "/api/v1/tasks/tsk_1")?.operationId).toBe("getTask");
    expect(findOperation("POST", "/api/v1/tasks/claim")?.operationId).toBe("claimTask");
  });

  it("refuses a body its schema refuses, naming the field", async () => {
    const err = await checkResponse("GET", `${base}/api/v1/tasks/board`, json({ columns: [{ status: "nope", count: 1, items: [], nextCursor: null }] })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ContractViolation);
    expect((err as Error).message).toMatch(/taskBoard.*columns\.0\.status/);
  });

  it("refuses an undeclared status, a wrong media type and a body where none is declared", async () => {
    await expect(checkResponse("GET", `${base}/api/v1/tasks/board`, json({}, 418))).rejects.toThrow(/does not declare/);
    await expect(checkResponse("GET", `${base}/api/v1/tasks/board`, json({ columns: [] }, 200, "text/plain"))).rejects.toThrow(/declares application\/json/);
    // fetch's Response cannot hold a body with 204: a stand-in with the parts the check reads.
    const withBody = { status: 204, headers: new Headers(), clone: () => new Response('{"any":1}') } as unknown as Response;
    await expect(checkResponse("POST", `${base}/api/v1/tasks/claim`, withBody)).rejects.toThrow(/declares none/);
  });

  it("accepts a declared answer, and leaves undeclared routes alone", async () => {
    await expect(checkResponse("GET", `${base}/api/v1/tasks/board`, json({ columns: [] }))).resolves.toBeUndefined();
    await expect(checkResponse("POST", `${base}/api/v1/tasks/claim`, new Response(null, { status: 204 }))).resolves.toBeUndefined();
    await expect(checkResponse("GET", `${base}/api/v1/nowhere`, json({}, 404, "application/problem+json"))).resolves.toBeUndefined();
  });
});
