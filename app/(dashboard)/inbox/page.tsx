import { PEOPLE_INBOX } from "@/lib/domain/vocabulary";
import { redirect } from "next/navigation";
import { hrefs } from "@/lib/queries/links";

/** `/inbox` is the people's inbox; its one address is /inbox/hitl (filters and search carried over). */
export default async function InboxIndex({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const sp = await searchParams;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(sp)) if (typeof v === "string") qs.set(k, v);
  const thread = qs.get("thread");
  qs.delete("thread");
  const s = qs.toString();
  redirect(`${thread ? hrefs.thread(PEOPLE_INBOX, thread) : hrefs.inbox()}${s ? `?${s}` : ""}`);
}
