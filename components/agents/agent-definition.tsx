import type { AgentListItem } from "@/lib/services";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { AgentSwatch } from "@/components/ui/agent-swatch";
import { Mono } from "@/components/ui/mono";

function Chips({ items, mono }: { items: string[]; mono?: boolean }) {
  if (!items.length) return <p className="text-xs text-muted-foreground">None listed.</p>;
  return (
    <ul className="flex flex-wrap gap-1">
      {items.map((c) => (
        <li key={c} className={`rounded border bg-muted px-1.5 py-0.5 text-[11px] ${mono ? "font-mono" : ""}`}>
          {mono ? c : c.replace(/_/g, " ")}
        </li>
      ))}
    </ul>
  );
}

/** The agent's definition in facts: model, colour, tier, domain, lease, source file, capabilities, tools. */
export function AgentDefinitionCard({ agent: a }: { agent: AgentListItem }) {
  const facts: [string, React.ReactNode][] = [
    ["Model", a.model ?? "—"],
    [
      "Colour",
      <span key="c" className="inline-flex items-center gap-1.5">
        <AgentSwatch color={a.color} name={a.name} />
        {a.color ?? "—"}
      </span>,
    ],
    ["Tier", a.tier ?? "—"],
    ["Domain", a.domain ?? "—"],
    ["Lease", `${a.leaseMinutes} min`],
    ["Definition", a.sourcePath ? <Mono key="p" className="text-xs break-all">{a.sourcePath}</Mono> : "—"],
  ];
  return (
    <Card>
      <CardHeader>
        <CardTitle>Definition</CardTitle>
      </CardHeader>
      <dl className="grid grid-cols-[6rem_minmax(0,1fr)] gap-x-3 gap-y-1.5 px-4 py-3 text-sm">
        {facts.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="text-xs text-muted-foreground">{k}</dt>
            <dd className="min-w-0 text-xs">{v}</dd>
          </div>
        ))}
      </dl>
      <div className="grid gap-3 border-t px-4 py-3">
        <div className="grid gap-1.5">
          <h3 className="text-[11px] font-semibold tracking-wide text-muted-foreground uppercase">Capabilities</h3>
          <Chips items={a.capabilities} />
        </div>
        <div className="grid gap-1.5">
          <h3 className="text-[11px] font-semibold tracking-wide text-muted-foreground uppercase">Tools</h3>
          <Chips items={a.tools} mono />
        </div>
      </div>
    </Card>
  );
}

/** The folders the agent reads and writes (its definition's Memory Ownership). */
export function AgentMemoryCard({ memory }: { memory: AgentListItem["memory"] }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>Memory ownership</CardTitle>
      </CardHeader>
      <div className="grid gap-3 px-4 py-3">
        {(["reads", "writes"] as const).map((k) => (
          <div key={k} className="grid gap-1">
            <h3 className="text-[11px] font-semibold tracking-wide text-muted-foreground uppercase">{k}</h3>
            {memory[k].length === 0 ? (
              <p className="text-xs text-muted-foreground">None declared.</p>
            ) : (
              <ul className="grid gap-1">
                {memory[k].map((m) => (
                  <li key={m.path} className="text-xs">
                    <Mono className="break-all">{m.path}</Mono>
                    {m.note && <span className="text-muted-foreground"> — {m.note}</span>}
                  </li>
                ))}
              </ul>
            )}
          </div>
        ))}
      </div>
    </Card>
  );
}
