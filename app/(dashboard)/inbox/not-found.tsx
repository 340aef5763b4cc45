import Link from "next/link";
import { Button } from "@/components/ui/button";
import { hrefs } from "@/lib/queries/links";

export default function InboxNotFound() {
  return (
    <div className="flex min-h-[60vh] flex-col items-center justify-center gap-2 px-6 text-center">
      <p className="font-mono text-xs text-muted-foreground">404</p>
      <h1 className="text-lg font-semibold">No such inbox</h1>
      <p className="max-w-sm text-sm text-muted-foreground">Every agent has an inbox named after it, and the people share one. This one does not exist.</p>
      <Button asChild variant="outline" size="sm" className="mt-2">
        <Link href={hrefs.inbox()}>Open the people&apos;s inbox</Link>
      </Button>
    </div>
  );
}
