import { AppShell } from "@/components/shell/app-shell";
import { getPageContext } from "@/lib/auth/page-context";
import { getShellCounts } from "@/lib/services";

export default async function DashboardLayout({ children }: { children: React.ReactNode }) {
  const ctx = await getPageContext();
  const counts = getShellCounts(ctx);
  const { id, name, email, role } = ctx.actor;
  return (
    <AppShell user={{ id, name, email, role }} counts={counts}>
      {children}
    </AppShell>
  );
}
