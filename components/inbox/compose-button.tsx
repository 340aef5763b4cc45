"use client";
import * as React from "react";
import dynamic from "next/dynamic";
import { PenSquare } from "lucide-react";
import { Button } from "@/components/ui/button";
import { useOpenedOnce } from "@/components/ui/use-opened-once";
import { useInboxEnv } from "./inbox-context";

// The form (compose-dialog.tsx) loads when first opened, not with every inbox page.
const ComposeDialog = dynamic(() => import("./compose-dialog").then((m) => m.ComposeDialog), { ssr: false });

/** "New" above the thread list: a new message from the signed-in person (not for viewers). */
export function ComposeButton({ inboxes }: { inboxes: string[] }) {
  const { canWrite } = useInboxEnv();
  const [open, setOpen] = React.useState(false);
  const mounted = useOpenedOnce(open);
  const button = React.useRef<HTMLButtonElement>(null);
  if (!canWrite) return null;
  return (
    <>
      <Button ref={button} size="xs" variant="primary" aria-label="New message" aria-haspopup="dialog" aria-expanded={open} onClick={() => setOpen(true)}>
        <PenSquare /> New
      </Button>
      {mounted && <ComposeDialog inboxes={inboxes} open={open} onOpenChange={setOpen} returnFocus={button} />}
    </>
  );
}
