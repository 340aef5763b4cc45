"use client";
import * as React from "react";
import { Plus } from "lucide-react";
import { Button, type ButtonProps } from "@/components/ui/button";
import dynamic from "next/dynamic";

// The form is loaded when first opened (see components/shell/command-palette.tsx).
const AssignWorkDialog = dynamic(() => import("./assign-work-dialog").then((m) => m.AssignWorkDialog), { ssr: false });

/**
 * "Assign work" for one agent (the agent page): opens the one-move assign form with the agent
 * chosen. Self-contained: `<AssignWorkButton agent={agent.name} />`.
 */
export function AssignWorkButton({ agent, size = "sm", variant = "primary", label = "Assign work" }: { agent: string; label?: string } & Pick<ButtonProps, "size" | "variant">) {
  const [open, setOpen] = React.useState(false);
  const [mounted, setMounted] = React.useState(false);
  return (
    <>
      <Button
        size={size}
        variant={variant}
        onClick={() => {
          setMounted(true);
          setOpen(true);
        }}
        data-testid="assign-work-button"
      >
        <Plus aria-hidden /> {label}
      </Button>
      {mounted && <AssignWorkDialog open={open} onOpenChange={setOpen} agent={agent} />}
    </>
  );
}
