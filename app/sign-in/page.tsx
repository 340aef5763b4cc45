import Link from "next/link";
import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { countUsers } from "@/lib/services";
import { getOptionalPageContext } from "@/lib/auth/page-context";
import { AuthCard } from "@/components/shell/auth-card";
import { safeNext } from "@/lib/url/same-origin";
import { SignInForm } from "@/components/shell/sign-in-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { db, actor } = await getOptionalPageContext();
  const next = safeNext((await searchParams).next);
  if (actor?.kind === "person") redirect(next);
  const firstRun = countUsers({ db }) === 0;
  // Nobody can sign in before the first admin exists: a fresh install's first page is the set-up.
  if (firstRun) redirect("/setup");
  return (
    <AuthCard
      title="Sign in"
      description="Watch your agents work, review what they hand in, answer their questions."
      footer={
        firstRun ? (
          <span>
            No account exists yet.{" "}
            <Link href="/setup" className="font-medium text-foreground underline">
              Set up AgentDesk
            </Link>
          </span>
        ) : (
          "Ask an admin for an account."
        )
      }
    >
      <SignInForm next={next} />
    </AuthCard>
  );
}
