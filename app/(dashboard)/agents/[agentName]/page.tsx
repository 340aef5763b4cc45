import { openTaskStatuses } from "@/lib/domain/vocabulary";
import Link from "next/link";
import type { Metadata } from "next";
import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { Inbox } from "lucide-react";
import { getAgent, isServiceError, listTasks } from "@/lib/services";
import { getPageContext } from "@/lib/auth/page-context";
import { PageBody } from "@/components/shell/page-header";
import { SetBreadcrumbs } from "@/components/shell/breadcrumbs";
import { RefreshOnEvents } from "@/components/shell/refresh-on-events";
import { Button } from "@/components/ui/button";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { AgentSwatch } from "@/components/ui/agent-swatch";
import { Mono } from "@/components/ui/mono";
import { StatusDot } from "@/components/ui/status";
import { EmptyState } from "@/components/ui/empty-state";
import { TaskList } from "@/components/tasks/task-list";
import { ConnectPanel } from "@/components/agents/connect-panel";
import { hrefs } from "@/lib/queries/links";

type Props = { params: Promise<{ agentName: string }> };

async function load(name: string) {
  const ctx = await getPageContext();
  try {
    return { ctx, agent: getAgent(ctx, name) };
  } catch (err) {
    if (isServiceError(err) && err.code === "not_found") notFound();
    throw err;
  }
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { agentName } = await params;
  return { title: decodeURIComponent(agentName) };
}

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

export default async function AgentPage({ params }: Props) {
  const { agentName } = await params;
  const { ctx, agent: a } = await load(decodeURIComponent(agentName));
  const tasks = listTasks(ctx, { agent: a.name, limit: 50 });
  const h = await headers();
  const host = h.get("x-forwarded-host") ?? h.get("host") ?? "localhost:3000";
  const proto = h.get("x-forwarded-proto") ?? (host.startsWith("localhost") || host.startsWith("127.") ? "http" : "https");
  const origin = `${proto}://${host}`;
  const facts: [string, React.ReactNode][] = [
    ["Model", a.model ?? "—"],
    ["Colour", <span key="c" className="inline-flex items-center gap-1.5"><AgentSwatch color={a.color} name={a.name} />{a.color ?? "—"}</span>],
    ["Tier", a.tier ?? "—"],
    ["Domain", a.domain ?? "—"],
    ["Lease", `${a.leaseMinutes} min`],
    ["Definition", a.sourcePath ? <Mono key="p" className="text-xs break-all">{a.sourcePath}</Mono> : "—"],
  ];
  return (
    <PageBody>
      <RefreshOnEvents kinds={["agent", "message", "task"]} />
      <SetBreadcrumbs items={[{ label: "Agents", href: "/agents" }, { label: a.name }]} />
      <header className="flex flex-wrap items-start justify-between gap-3 pb-5">
        <div className="min-w-0 flex-1">
          <h1 className="flex items-center gap-2 text-lg font-semibold tracking-tight">
            <AgentSwatch color={a.color} name={a.name} className="size-3.5" />
            {a.name}
            {!a.active && <span className="rounded border px-1.5 text-xs font-normal text-muted-foreground">inactive</span>}
          </h1>
          {a.title && <p className="text-sm text-muted-foreground">{a.title}</p>}
          <p className="mt-1 max-w-3xl text-sm">{a.description}</p>
          <div className="mt-2 flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-muted-foreground">
            <span>
              <span className="font-medium text-foreground tabular-nums">{a.load.open}</span> open tasks
            </span>
            {openTaskStatuses.map((s) =>
              a.load[s] ? (
                <span key={s} className="flex items-center gap-1">
                  <StatusDot status={s} /> {a.load[s]} {s.replace("_", " ")}
                </span>
              ) : null,
            )}
          </div>
        </div>
        <Button asChild variant="outline" size="sm">
          <Link href={hrefs.inbox(a.name)}>
            <Inbox /> Inbox{a.unread ? ` · ${a.unread} unread` : ""}
          </Link>
        </Button>
      </header>

      <div className="grid gap-5 xl:grid-cols-[minmax(0,1fr)_24rem]">
        <div className="grid min-w-0 content-start gap-5">
          <Card>
            <CardHeader>
              <CardTitle>Tasks</CardTitle>
              <span className="text-xs text-muted-foreground">most recently changed first</span>
            </CardHeader>
            <TaskList
              filters={{ agent: a.name }}
              initialPage={tasks}
              empty={<EmptyState className="m-3" compact title="No tasks assigned" description="Assign one from an instruction, or with New task on the board." />}
            />
          </Card>

          <Card>
            <CardHeader>
              <CardTitle>Response Approach</CardTitle>
              <span className="text-xs text-muted-foreground">{a.steps.length} steps, copied onto each task it is assigned</span>
            </CardHeader>
            {a.steps.length === 0 ? (
              <p className="px-4 py-3 text-sm text-muted-foreground">The definition has no numbered Response Approach list.</p>
            ) : (
              <ol className="divide-y">
                {a.steps.map((s) => (
                  <li key={s.position} className="grid grid-cols-[1.5rem_minmax(0,1fr)] gap-2 px-4 py-2">
                    <span className="text-right text-xs text-muted-foreground tabular-nums">{s.position}</span>
                    <span>
                      <span className="block text-sm font-medium">{s.title}</span>
                      {s.guidance && <span className="block text-xs text-muted-foreground">{s.guidance}</span>}
                    </span>
                  </li>
                ))}
              </ol>
            )}
          </Card>
        </div>

        <aside className="grid min-w-0 content-start gap-5 [&>*]:min-w-0">
          <Card>
            <CardHeader>
              <CardTitle>Connect this agent</CardTitle>
            </CardHeader>
            <div className="px-4 py-3">
              <ConnectPanel agent={a.name} serverOrigin={origin} />
            </div>
          </Card>

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

          <Card>
            <CardHeader>
              <CardTitle>Memory ownership</CardTitle>
            </CardHeader>
            <div className="grid gap-3 px-4 py-3">
              {(["reads", "writes"] as const).map((k) => (
                <div key={k} className="grid gap-1">
                  <h3 className="text-[11px] font-semibold tracking-wide text-muted-foreground uppercase">{k}</h3>
                  {a.memory[k].length === 0 ? (
                    <p className="text-xs text-muted-foreground">None declared.</p>
                  ) : (
                    <ul className="grid gap-1">
                      {a.memory[k].map((m) => (
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
        </aside>
      </div>
    </PageBody>
  );
}
