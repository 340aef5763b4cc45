import { describe, expect, it } from "vitest";
import * as React from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { ApiError } from "@/lib/queries/api";
import { keys } from "@/lib/queries/keys";
import type { TokenDto, UserDto } from "@/lib/queries/admin";
import { isLastAdminError } from "@/lib/queries/admin";
import { SettingsView } from "./settings-view";
import { SettingsForbidden } from "./forbidden";
import { PeopleSection, refusalText } from "./people-section";
import { TokensSection, tokenOwner } from "./tokens-section";
import { TokenSecret } from "./token-secret";

// The settings page's parts, rendered to HTML (no browser): lists, states, the secret shown once.

const render = (node: React.ReactElement, client = new QueryClient()) => renderToStaticMarkup(<QueryClientProvider client={client}>{node}</QueryClientProvider>);

const ada: UserDto = { id: "usr_ada", email: "ada@example.com", name: "Ada", role: "admin", createdAt: "2026-01-02T10:00:00.000Z", disabled: false };
const rita: UserDto = { id: "usr_rita", email: "rita@example.com", name: "", role: "reviewer", createdAt: "2026-01-03T10:00:00.000Z", disabled: false };
const tok = (over: Partial<TokenDto>): TokenDto => ({
  id: "tok_1",
  agent: null,
  userId: null,
  label: "",
  createdBy: "ada@example.com",
  createdAt: "2026-01-04T10:00:00.000Z",
  lastUsedAt: null,
  expiresAt: null,
  revokedAt: null,
  ...over,
});
const tokens = [
  tok({ id: "tok_agent", agent: "backend-developer", label: "connect:backend-developer:2026-01-04", lastUsedAt: "2026-01-05T10:00:00.000Z" }),
  tok({ id: "tok_mine", userId: "usr_rita", label: "laptop", createdBy: "system:cli" }),
  tok({ id: "tok_old", agent: "frontend-developer", label: "old one", revokedAt: "2026-01-05T11:00:00.000Z" }),
];
const agents = [
  { name: "backend-developer", color: "blue" },
  { name: "frontend-developer", color: null },
];
const me = { id: ada.id, email: ada.email };

describe("SettingsView", () => {
  const out = render(<SettingsView users={[ada, rita]} tokens={tokens} agents={agents} me={me} />);

  it("lists people with their role and marks the signed-in admin", () => {
    expect(out).toContain('data-testid="settings-people"');
    expect(out).toContain("ada@example.com");
    expect(out).toContain("rita@example.com");
    expect(out).toMatch(/<option value="admin" selected="">Admin<\/option>/);
    expect(out).toMatch(/<option value="reviewer" selected="">Reviewer<\/option>/);
    expect(out).toContain(">you</span>");
    expect(out).toContain('aria-label="Remove rita@example.com"');
    expect(out).toContain('aria-label="Reset password for rita@example.com"');
    expect(out).toContain("Add a person");
    // No last sign-in from the server: no column for it.
    expect(out).not.toContain("Last sign-in");
  });

  it("lists tokens with label, owner, creator and last use; revoked ones hidden until asked for", () => {
    expect(out).toContain('data-testid="settings-tokens"');
    expect(out).toContain("connect:backend-developer:2026-01-04");
    expect(out).toContain('href="/agents/backend-developer"');
    expect(out).toContain("rita@example.com"); // the personal token's owner, by email
    expect(out).toContain("system:cli");
    expect(out).toContain(">never<");
    expect(out).toContain('aria-label="Revoke laptop"');
    expect(out).not.toContain("old one");
    expect(out).toContain("Show 1 revoked");
    expect(out).toContain("2 active");
    // Secrets are never in the list.
    expect(out).not.toContain('data-testid="token-secret"');
  });

  it("shows last sign-in when the server sends it", () => {
    const html = render(
      <PeopleSection
        initial={[
          { ...ada, lastSeenAt: "2026-01-05T10:00:00.000Z" },
          { ...rita, lastSeenAt: null },
        ]}
        meId={ada.id}
      />,
    );
    expect(html).toContain("Last sign-in");
    expect(html).toContain(">never<");
  });
});

describe("states", () => {
  it("empty lists say what to do next", () => {
    expect(render(<PeopleSection initial={[]} meId="usr_x" />)).toContain("No accounts yet");
    const html = render(<TokensSection initial={[]} users={[]} agents={agents} me={me} />);
    expect(html).toContain("No tokens yet");
    expect(html).toContain("New token");
  });

  it("loading shows skeletons with role=status", () => {
    expect(render(<PeopleSection meId="usr_x" />)).toMatch(/role="status" aria-label="Loading"/);
    expect(render(<TokensSection agents={agents} me={me} />)).toMatch(/role="status" aria-label="Loading"/);
  });

  it("a failed load shows the server's detail with a retry", () => {
    // A failed query is retried when mounted (the render would show the skeleton): as after the retry failed too.
    const client = new QueryClient({ defaultOptions: { queries: { retryOnMount: false } } });
    client
      .getQueryCache()
      .build(client, { queryKey: keys.users })
      .setState({ status: "error", error: new ApiError(500, { detail: "The database is asleep" }), fetchStatus: "idle" });
    const html = render(<PeopleSection meId="usr_x" />, client);
    expect(html).toContain('role="alert"');
    expect(html).toContain("The database is asleep");
    expect(html).toContain("Try again");
  });

  it("a reviewer or viewer gets a clear 403", () => {
    const html = renderToStaticMarkup(<SettingsForbidden role="viewer" />);
    expect(html).toContain('data-testid="settings-forbidden"');
    expect(html).toContain("403");
    expect(html).toContain("signed in as a viewer");
    expect(html).not.toContain("settings-people");
  });
});

describe("pieces", () => {
  it("TokenSecret shows the secret once, with a copy button", () => {
    const html = renderToStaticMarkup(<TokenSecret token="adk_abc123" />);
    expect(html).toMatch(/data-testid="token-secret"[^>]*>adk_abc123</);
    expect(html).toContain('aria-label="Copy token"');
    expect(html).toContain("shown once");
  });

  it("names the last-admin refusal", () => {
    const lastAdmin = new ApiError(409, { code: "conflict", detail: "ada@example.com is the last admin: make another person admin before you demote this account", details: { reason: "last_admin" } });
    expect(isLastAdminError(lastAdmin)).toBe(true);
    expect(refusalText(lastAdmin)).toBe("Last admin: ada@example.com is the last admin: make another person admin before you demote this account");
    const other = new ApiError(409, { code: "conflict", detail: "Already registered" });
    expect(isLastAdminError(other)).toBe(false);
    expect(refusalText(other)).toBe("Already registered");
  });

  it("says whom a token acts as", () => {
    expect(tokenOwner({ agent: "qa", userId: null }, [])).toEqual({ kind: "agent", name: "qa" });
    expect(tokenOwner({ agent: null, userId: "usr_ada" }, [ada])).toEqual({ kind: "person", name: "ada@example.com" });
    expect(tokenOwner({ agent: null, userId: "usr_gone" }, [ada])).toEqual({ kind: "person", name: "usr_gone" });
  });
});
