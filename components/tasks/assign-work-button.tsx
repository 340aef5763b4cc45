"use client";
import * as React from "react";
import { Plus } from "lucide-react";
import { Button, type ButtonProps } from "@/components/ui/button";
import { AssignWorkDialog } from "./assign-work-dialog";

/**
 * "Assign work" for one agent (the agent page): opens the one-move assign form with the agent
 * chosen. Self-contained: `<AssignWorkButton agent={agent.name} />`.
 */
export function AssignWorkButton({ agent, size = "sm", variant = "primary", label = "Assign work" }: { agent: string; label?: string } & Pick<ButtonProps, "size" | "variant">) {
  const [open, setOpen] = React.useState(false);
  return (
    <>
      <Button size={size} variant={variant} onClick={() => setOpen(true)} data-testid="assign-work-button">
        <Plus aria-hidden /> {label}
      </Button>
      <AssignWorkDialog open={open} onOpenChange={setOpen} agent={agent} />
    </>
  );
}
