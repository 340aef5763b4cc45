import { afterEach, describe, expect, it } from "vitest";
import { NextRequest } from "next/server";
import { proxy } from "./proxy";

const page = (url: string, headers: Record<string, string> = {}) => proxy(new NextRequest(url, { headers: { host: new URL(url).host, ...headers } }));

afterEach(() => {
  delete process.env.AGENTDESK_PUBLIC_URL;
});

describe("proxy (every page request)", () => {
  it("refuses a page asked for under a host name AgentDesk does not answer at (DNS rebinding)", async () => {
    for (const host of ["evil.example:3000", "evil.example"]) {
      const res = page("http://localhost:3000/setup", { host });
      expect(res.status, host).toBe(403);
      expect(await res.text()).toMatch(/evil\.example.*AGENTDESK_PUBLIC_URL/s);
    }
    expect(page("http://localhost:3000/setup").status).toBe(200);
    expect(page("http://127.0.0.1:3000/sign-in").status).toBe(200);
    process.env.AGENTDESK_PUBLIC_URL = "https://desk.example.com";
    expect(page("http://localhost:3000/setup", { host: "desk.example.com" }).status).toBe(200);
  });

  it("sends a signed-out browser to sign-in with a next that stays on this origin", () => {
    const next = (url: string) => {
      const res = page(url);
      expect(res.status).toBe(307);
      return new URL(res.headers.get("location")!).searchParams.get("next");
    };
    expect(next("http://localhost:3000/tasks/tsk_1?tab=steps")).toBe("/tasks/tsk_1?tab=steps");
    expect(next("http://localhost:3000/")).toBeNull();
  });
});
