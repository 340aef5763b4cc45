import type { Metadata } from "next";
import { MessagesSquare } from "lucide-react";
import { EmptyState } from "@/components/ui/empty-state";
import { Kbd } from "@/components/ui/kbd";
import { routeParam } from "@/components/inbox/params";
import { SetBreadcrumbs } from "@/components/shell/breadcrumbs";
import { hrefs, PEOPLE_INBOX } from "@/lib/queries/links";

export async function generateMetadata({ params }: { params: Promise<{ agentName: string }> }): Promise<Metadata> {
  const inbox = routeParam((await params).agentName);
  return { title: inbox === PEOPLE_INBOX ? "Inbox" : `Inbox · ${inbox}` };
}

export default async function SelectThread({ params }: { params: Promise<{ agentName: string }> }) {
  const inbox = routeParam((await params).agentName);
  return (
    <div className="flex h-full items-center justify-center p-6">
      <SetBreadcrumbs items={[{ label: "Inbox", href: hrefs.inbox() }, { label: inbox === PEOPLE_INBOX ? "People" : inbox }]} />
      <EmptyState
        icon={<MessagesSquare />}
        title="Select a thread"
        description={
          <>
            Pick a thread on the left to read it and reply. <Kbd>j</Kbd> <Kbd>k</Kbd> move through the list, <Kbd>Enter</Kbd> opens.
          </>
        }
        className="w-full max-w-md"
      />
    </div>
  );
}
