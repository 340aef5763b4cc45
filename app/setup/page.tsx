import type { Metadata } from "next";
import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { countUsers } from "@/lib/services";
import { getOptionalPageContext } from "@/lib/auth/page-context";
import { browserHostAllowed, hostRefusal, requestHost } from "@/lib/auth/allowed-host";
import { AuthCard } from "@/components/shell/auth-card";
import { SetupForm } from "@/components/shell/setup-form";

export const metadata: Metadata = { title: "Set up" };

/**
 * First run only: while nobody has an account, create the first admin. Afterwards, 404. Only at a
 * loopback or configured host name (DNS rebinding, lib/auth/allowed-host.ts); the API's first-run
 * route checks the same and the caller's socket.
 */
export default async function SetupPage() {
  const { db } = await getOptionalPageContext();
  if (countUsers({ db }) > 0) notFound();
  const host = requestHost(await headers());
  if (!browserHostAllowed(host)) {
    return (
      <AuthCard title="Set up AgentDesk" description="Not at this address." footer="This page works only from the machine AgentDesk runs on, and only once.">
        <p className="text-sm" role="alert" data-testid="setup-host-refused">
          {hostRefusal(host)}
        </p>
      </AuthCard>
    );
  }
  return (
    <AuthCard
      title="Set up AgentDesk"
      description="Create the first account. It is an admin: it can add people and issue agent tokens."
      footer="This page works only from the machine AgentDesk runs on, and only once."
    >
      <SetupForm />
    </AuthCard>
  );
}
