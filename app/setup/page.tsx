import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { countUsers } from "@/lib/services";
import { getOptionalPageContext } from "@/lib/auth/page-context";
import { AuthCard } from "@/components/shell/auth-card";
import { SetupForm } from "@/components/shell/setup-form";

export const metadata: Metadata = { title: "Set up" };

/** First run only: while nobody has an account, create the first admin. Afterwards, 404. */
export default async function SetupPage() {
  const { db } = await getOptionalPageContext();
  if (countUsers({ db }) > 0) notFound();
  return (
    <AuthCard title="Set up AgentDesk" description="Create the first account. It is an admin: it can add people and issue agent tokens." footer="This page works only from the machine AgentDesk runs on, and only once.">
      <SetupForm />
    </AuthCard>
  );
}
