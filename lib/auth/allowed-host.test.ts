import { describe, expect, it } from "vitest";
import { browserHostAllowed, hostAllowed, isLoopback } from "./allowed-host";

describe("hostAllowed: the Host names a browser may reach AgentDesk by (DNS rebinding)", () => {
  const none = {};
  it("accepts loopback names and addresses, with or without a port", () => {
    for (const h of ["localhost", "localhost:3000", "LOCALHOST:3000", "app.localhost:3000", "a.b.localhost", "127.0.0.1", "127.0.0.1:3449", "127.1.2.3:80", "[::1]", "[::1]:3000", "localhost.:3000"]) {
      expect(hostAllowed(h, none), h).toBe(true);
    }
  });

  it("refuses every other name, and anything that is not a plain host[:port]", () => {
    for (const h of [
      "evil.example:3449",
      "evil.example",
      "localhost.evil.example",
      "127.0.0.1.evil.example",
      "localhost@evil.example",
      "evil.example#@localhost",
      "evil.example/localhost",
      "localhost:3000@evil.example",
      "192.168.1.5:3000",
      "[::2]:3000",
      "0.0.0.0:3000",
      "",
      undefined,
    ]) {
      expect(hostAllowed(h, none), String(h)).toBe(false);
    }
  });

  it("accepts the host names of AGENTDESK_PUBLIC_URL (several, comma-separated) and AGENTDESK_URL, and no others", () => {
    const env = { AGENTDESK_PUBLIC_URL: "https://desk.example.com, http://192.168.1.5:3000", AGENTDESK_URL: "http://agents.internal:3000" };
    for (const h of ["desk.example.com", "DESK.example.com:443", "192.168.1.5:3000", "agents.internal:3000", "localhost:3000"]) expect(hostAllowed(h, env), h).toBe(true);
    for (const h of ["evil.example", "example.com", "sub.desk.example.com", "desk.example.com.evil.example"]) expect(hostAllowed(h, env), h).toBe(false);
    // A malformed setting adds nothing (and breaks nothing).
    expect(hostAllowed("evil.example", { AGENTDESK_PUBLIC_URL: "not a url,,*" })).toBe(false);
  });

  it("lets a request without any Host through (no browser sends one), but not an empty or foreign one", () => {
    expect(browserHostAllowed(undefined, {})).toBe(true);
    expect(browserHostAllowed(null, {})).toBe(true);
    expect(browserHostAllowed("", {})).toBe(false);
    expect(browserHostAllowed("evil.example", {})).toBe(false);
    expect(browserHostAllowed("localhost:3000", {})).toBe(true);
  });
});

describe("isLoopback: one rule for Host names, socket addresses and the server's HOST", () => {
  it("accepts loopback names and addresses, and nothing else", () => {
    for (const name of ["localhost", "app.localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]", "::ffff:127.0.0.1"]) expect(isLoopback(name), name).toBe(true);
    for (const name of ["0.0.0.0", "::", "10.0.0.1", "::ffff:10.0.0.1", "evil.example", "localhost.evil.example", "128.0.0.1", "1127.0.0.1"]) expect(isLoopback(name), name).toBe(false);
  });
});
