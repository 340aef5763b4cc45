import { AppShell } from "@/components/shell/app-shell";
import { getPageContext } from "@/lib/auth/page-context";
import { getShellCounts, lastEventId } from "@/lib/services";

export default async function DashboardLayout({ children }: { children: React.ReactNode }) {
  const ctx = await getPageContext();
  // Where the page's event stream resumes: nothing that happens between this render and its opening is missed.
  const since = lastEventId(ctx);
  const counts = getShellCounts(ctx);
  const { id, name, email, role } = ctx.actor;
  return (
    <AppShell user={{ id, name, email, role }} counts={counts} since={since}>
      {children}
    </AppShell>
  );
}
