import { getAgent, isChannelInbox, listAgents, listInbox, listInboxes } from "@/lib/services";
import { getPageContext } from "@/lib/auth/page-context";
import { InboxShell } from "@/components/inbox/inbox-shell";
import { PEOPLE_INBOX } from "@/lib/queries/links";
import { routeParam } from "@/components/inbox/params";
import { orNotFound } from "@/app/(dashboard)/page-data";

export default async function InboxLayout({ params, children }: { params: Promise<{ agentName: string }>; children: React.ReactNode }) {
  const ctx = await getPageContext();
  const inbox = routeParam((await params).agentName);
  if (inbox !== PEOPLE_INBOX && inbox !== "broadcast" && !isChannelInbox(inbox)) orNotFound(() => getAgent(ctx, inbox));
  const agents = listAgents(ctx, { includeInactive: true });
  const agentColors = Object.fromEntries(agents.map((a) => [a.name, a.color ?? null]));
  // The layout does not see the query string: it renders the unfiltered first page, and the list
  // fetches a filtered one itself when the URL asks for it.
  const firstPage = listInbox(ctx, { inbox, limit: 50 });
  const { email, name, role } = ctx.actor;
  return (
    <InboxShell inbox={inbox} me={{ email, name }} canWrite={role !== "viewer"} agentColors={agentColors} inboxes={listInboxes(ctx)} initialPage={firstPage}>
      {children}
    </InboxShell>
  );
}
