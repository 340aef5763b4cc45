"use client";
import * as React from "react";
import Link from "next/link";
import { KeyRound } from "lucide-react";
import { useCreateToken } from "@/lib/queries/admin";
import { errorMessage } from "@/lib/queries/api";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { CopyButton, TokenSecret } from "@/components/settings/token-secret";
import { allSnippets, shellQuote, type Snippet } from "@/lib/connect/snippets";

const noop = () => () => {};
export const TOKEN_PLACEHOLDER = "<token>";

/** A snippet of lib/connect/snippets, or the `agentdesk connect` command (which also installs the hooks). */
export type ConnectSnippet = Omit<Snippet, "client"> & { client: Snippet["client"] | "agentdesk-connect" };

/** Every client's snippet for this agent at `url`, with the token (or the placeholder) in it. */
export function connectSnippets({ agent, url, token }: { agent: string; url: string; token: string }): ConnectSnippet[] {
  const origin = url.trim().replace(/\/+$/, "");
  return [
    ...allSnippets({ url: origin, token }),
    {
      client: "agentdesk-connect",
      label: "agentdesk connect",
      where: "shell",
      format: "shell",
      text: `npx agentdesk connect ${shellQuote(agent)} --url ${shellQuote(origin)} --agent-token ${shellQuote(token)}\n`,
    },
  ];
}

/** The label of a token minted from this panel: `connect:<agent>:<YYYY-MM-DD>` (the browser's date). */
export function connectTokenLabel(agent: string, at: Date = new Date()): string {
  const d = `${at.getFullYear()}-${String(at.getMonth() + 1).padStart(2, "0")}-${String(at.getDate()).padStart(2, "0")}`;
  return `connect:${agent}:${d}`;
}

function SnippetBlock({ snippet }: { snippet: ConnectSnippet }) {
  const file = snippet.where === "shell" ? null : snippet.where;
  const label = file ? `${snippet.label} ${file}` : `${snippet.label} command`;
  return (
    <div data-testid="connect-snippet" data-client={snippet.client} className="grid gap-1">
      <p className="text-[11px] text-muted-foreground">{file ? <>Add to <code className="font-mono text-foreground">{file}</code></> : "Run in the project's folder"}</p>
      <div className="relative">
        <pre
          className="overflow-x-auto rounded-md border bg-muted px-3 py-2.5 pr-10 font-mono text-xs leading-relaxed whitespace-pre-wrap [overflow-wrap:anywhere]"
          aria-label={label}
          tabIndex={0}
        >
          {snippet.text.trimEnd()}
        </pre>
        <CopyButton text={snippet.text} label={label} className="absolute top-1.5 right-1.5" />
      </div>
    </div>
  );
}

/** One tab per MCP host; every snippet stays in the page (inactive tabs are hidden), each with its copy button. */
export function ConnectSnippets({ snippets }: { snippets: ConnectSnippet[] }) {
  return (
    <Tabs defaultValue={snippets[0]?.client}>
      <TabsList aria-label="MCP host" className="h-auto flex-wrap justify-start">
        {snippets.map((s) => (
          <TabsTrigger key={s.client} value={s.client}>
            {s.label}
          </TabsTrigger>
        ))}
      </TabsList>
      {snippets.map((s) => (
        <TabsContent key={s.client} value={s.client} forceMount className="data-[state=inactive]:hidden">
          <SnippetBlock snippet={s} />
        </TabsContent>
      ))}
    </Tabs>
  );
}

/**
 * How to point an MCP host (Claude Code, Cursor, VS Code, Codex, Gemini) at AgentDesk as this agent.
 * An admin creates a token here: its secret is shown once and filled into every snippet. Everyone
 * else sees the snippets with a `<token>` placeholder. The origin is the page's own, known only in
 * the browser (`serverOrigin` for the server render).
 */
export function ConnectPanel({ agent, serverOrigin, canCreateToken }: { agent: string; serverOrigin: string; canCreateToken: boolean }) {
  const origin = React.useSyncExternalStore(
    noop,
    () => window.location.origin,
    () => serverOrigin,
  );
  const create = useCreateToken();
  const [secret, setSecret] = React.useState<string | null>(null);
  const snippets = connectSnippets({ agent, url: origin, token: secret ?? TOKEN_PLACEHOLDER });

  return (
    <div data-testid="connect-panel" className="grid gap-3">
      {secret ? (
        <TokenSecret token={secret}>
          <p className="text-xs text-muted-foreground">
            It is filled into every snippet below. Revoke it in{" "}
            <Link href="/settings" className="underline underline-offset-2">
              Settings
            </Link>{" "}
            when it is no longer used.
          </p>
        </TokenSecret>
      ) : canCreateToken ? (
        <div className="grid gap-2">
          <p className="text-xs text-muted-foreground">
            Create a token for <span className="font-medium text-foreground">{agent}</span>: every snippet below is filled in with it. Its secret is shown once.
          </p>
          <div>
            <Button
              size="sm"
              variant="outline"
              disabled={create.isPending}
              onClick={() => create.mutate({ agent, label: connectTokenLabel(agent) }, { onSuccess: (t) => setSecret(t.token) })}
            >
              <KeyRound /> {create.isPending ? "Creating…" : "Create a token"}
            </Button>
          </div>
          {create.error ? (
            <Alert tone="error" role="alert">
              Could not create a token: {errorMessage(create.error)}
            </Alert>
          ) : null}
        </div>
      ) : (
        <p className="text-xs text-muted-foreground">
          Replace <code className="font-mono">{TOKEN_PLACEHOLDER}</code> with a token for <span className="font-medium text-foreground">{agent}</span>. Only an admin can create one: on this page,
          or with <code className="font-mono">npx agentdesk token create --agent {agent}</code>.
        </p>
      )}
      <ConnectSnippets snippets={snippets} />
    </div>
  );
}
