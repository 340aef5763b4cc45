import type { AgentListItem } from "@/lib/services";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";

type Permissions = AgentListItem["permissions"];

const list = (xs: string[]) => (xs.length <= 1 ? (xs[0] ?? "") : `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}`);

function scope(s: "any" | string[], none: string): string {
  if (s === "any") return "any instruction";
  return s.length ? list(s) : none;
}

/** What the agent's Memory Ownership lets it do, in plain words (docs/permissions.md). */
export function PermissionsCard({ permissions: p }: { permissions: Permissions }) {
  const sendTo = p.sendTo === "any" ? "any agent and the people" : p.sendTo.length ? `${list(p.sendTo)} and the people` : "the people only";
  const rows: [string, string][] = [
    ["May send to", sendTo],
    ["Hands in outputs", p.outputs === "any" ? "yes" : p.outputs.length ? `only in ${list(p.outputs)}` : "no"],
    ["Works on tasks of", scope(p.tasks, "none")],
    ["Posts broadcasts", p.broadcast ? "yes (through the folder bridge)" : "no"],
  ];
  return (
    <Card>
      <CardHeader>
        <CardTitle>Permissions</CardTitle>
      </CardHeader>
      <div className="grid gap-2 px-4 py-3 text-xs">
        <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-3 gap-y-1">
          {rows.map(([k, v]) => (
            <div key={k} className="contents">
              <dt className="text-muted-foreground">{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
        {!p.declared && <p className="text-muted-foreground">Its definition has no Memory Ownership paths under Agent_Memory/, so it keeps the defaults: everything an agent may do on its own tasks and inbox.</p>}
        {p.declared && <p className="text-muted-foreground">From its Memory Ownership section. It always reaches the people, and works only on its own tasks and inbox whatever the section says.</p>}
        {p.otherInboxReads.length > 0 && (
          <p className="text-muted-foreground">
            Its Reads name {p.otherInboxReads.includes("any agent") ? "the inboxes of any agent" : `the inbox of ${list(p.otherInboxReads)}`}: that does not widen anything, an agent reads only its own inbox.
          </p>
        )}
      </div>
    </Card>
  );
}
