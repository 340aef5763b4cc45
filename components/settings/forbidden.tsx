import { ShieldAlert } from "lucide-react";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/shell/page-header";

/** What a reviewer or viewer sees on the settings page: a 403 in words, and whom to ask. */
export function SettingsForbidden({ role }: { role: string }) {
  return (
    <>
      <PageHeader title="Settings" />
      <div data-testid="settings-forbidden" role="alert">
        <EmptyState
          icon={<ShieldAlert />}
          title="Only admins can manage people and tokens (403)"
          description={`You are signed in as a ${role}. Ask an admin to add people, change roles, or create an API token for you or an agent.`}
        />
      </div>
    </>
  );
}
