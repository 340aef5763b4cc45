import Link from "next/link";
import { Button } from "@/components/ui/button";

export default function NotFound() {
  return (
    <div className="flex min-h-[60vh] flex-col items-center justify-center gap-2 px-6 text-center">
      <p className="font-mono text-xs text-muted-foreground">404</p>
      <h1 className="text-lg font-semibold">Nothing here</h1>
      <p className="max-w-sm text-sm text-muted-foreground">This page, or the task, instruction or agent it points to, does not exist (or no longer does).</p>
      <Button asChild variant="outline" size="sm" className="mt-2">
        <Link href="/">Back to the overview</Link>
      </Button>
    </div>
  );
}
