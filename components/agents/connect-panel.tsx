"use client";
import * as React from "react";
import { Check, Copy } from "lucide-react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";

const noop = () => () => {};

function Snippet({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = React.useState(false);
  return (
    <div className="relative">
      <pre className="overflow-x-auto rounded-md border bg-muted px-3 py-2.5 pr-10 font-mono text-xs leading-relaxed whitespace-pre-wrap [overflow-wrap:anywhere]" aria-label={label} tabIndex={0}>
        {text}
      </pre>
      <Button
        variant="ghost"
        size="icon-sm"
        className="absolute top-1.5 right-1.5"
        aria-label={`Copy ${label}`}
        onClick={async () => {
          try {
            await navigator.clipboard.writeText(text);
            setCopied(true);
            setTimeout(() => setCopied(false), 1500);
          } catch {
            toast.error("Could not copy: select the text and copy it by hand");
          }
        }}
      >
        {copied ? <Check /> : <Copy />}
      </Button>
    </div>
  );
}

/**
 * How to point Claude Code (or any MCP host) at AgentDesk as this agent. The origin is the one the
 * page is served from, known only in the browser; the token is a placeholder (tokens are shown once,
 * when an admin creates them).
 */
export function ConnectPanel({ agent, serverOrigin }: { agent: string; serverOrigin: string }) {
  const origin = React.useSyncExternalStore(
    noop,
    () => window.location.origin,
    () => serverOrigin,
  );
  const token = "<token>";
  const cli = `claude mcp add --transport http agentdesk ${origin}/api/mcp --header "Authorization: Bearer ${token}"`;
  const json = JSON.stringify(
    {
      mcpServers: {
        agentdesk: {
          type: "http",
          url: `${origin}/api/mcp`,
          headers: { Authorization: `Bearer ${token}` },
        },
      },
    },
    null,
    2,
  );
  return (
    <div className="grid gap-3">
      <p className="text-xs text-muted-foreground">
        Give the <span className="font-medium text-foreground">{agent}</span> process an API token for this agent (an admin creates one with{" "}
        <code className="font-mono">npx agentdesk token create --agent {agent}</code>; it is shown once), then register AgentDesk as an MCP server. Replace{" "}
        <code className="font-mono">{token}</code> with the token.
      </p>
      <Tabs defaultValue="cli">
        <TabsList aria-label="Snippet format">
          <TabsTrigger value="cli">Claude Code CLI</TabsTrigger>
          <TabsTrigger value="json">.mcp.json</TabsTrigger>
        </TabsList>
        <TabsContent value="cli">
          <Snippet text={cli} label="claude mcp add command" />
        </TabsContent>
        <TabsContent value="json">
          <Snippet text={json} label=".mcp.json snippet" />
        </TabsContent>
      </Tabs>
    </div>
  );
}
