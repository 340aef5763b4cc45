import type { Metadata } from "next";
import { listAgents, listTokens, listUsers } from "@/lib/services";
import { getPageContext } from "@/lib/auth/page-context";
import { PageBody } from "@/components/shell/page-header";
import { SettingsForbidden } from "@/components/settings/forbidden";
import { SettingsView } from "@/components/settings/settings-view";

export const metadata: Metadata = { title: "Settings" };

/** People and API tokens (admins only; everyone else gets the 403 state, the API refuses them too). */
export default async function SettingsPage() {
  const ctx = await getPageContext();
  if (ctx.actor.role !== "admin") {
    return (
      <PageBody>
        <SettingsForbidden role={ctx.actor.role} />
      </PageBody>
    );
  }
  return (
    <PageBody>
      <SettingsView users={listUsers(ctx)} tokens={listTokens(ctx)} agents={listAgents(ctx).map((a) => ({ name: a.name, color: a.color }))} me={{ id: ctx.actor.id, email: ctx.actor.email }} />
    </PageBody>
  );
}
