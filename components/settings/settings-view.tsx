"use client";
import type { TokenDto, UserDto } from "@/lib/queries/admin";
import { useUsers } from "@/lib/queries/admin";
import { PageHeader } from "@/components/shell/page-header";
import { PeopleSection } from "./people-section";
import { TokensSection, type AgentChoice } from "./tokens-section";
import { WebhooksSection } from "./webhooks-section";

/**
 * Settings (admins): people and API tokens, what `agentdesk user ...` and `agentdesk token ...` do
 * from a terminal. Seeded by the server render; each change refetches its list.
 */
export function SettingsView({ users, tokens, agents, me }: { users: UserDto[]; tokens: TokenDto[]; agents: AgentChoice[]; me: { id: string; email: string } }) {
  // The token list names people by email: the same cached list as the People card.
  const people = useUsers(users);
  return (
    <>
      <PageHeader title="Settings" meta="People who may sign in, and the API tokens agents and scripts use. Only admins see this page." />
      <div className="grid gap-5">
        <PeopleSection initial={users} meId={me.id} />
        <TokensSection initial={tokens} users={people.data} agents={agents} me={me} />
        <WebhooksSection />
      </div>
    </>
  );
}
