"use client";
import * as React from "react";
import { Check, Copy, KeyRound } from "lucide-react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";

/** A copy-to-clipboard icon button; says "Copied" for a moment, or toasts when the browser refuses. */
export function CopyButton({ text, label, className }: { text: string; label: string; className?: string }) {
  const [copied, setCopied] = React.useState(false);
  React.useEffect(() => {
    if (!copied) return;
    const t = setTimeout(() => setCopied(false), 1500);
    return () => clearTimeout(t);
  }, [copied]);
  return (
    <Button
      variant="ghost"
      size="icon-sm"
      className={className}
      aria-label={copied ? `Copied ${label}` : `Copy ${label}`}
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(text);
          setCopied(true);
        } catch {
          toast.error("Could not copy: select the text and copy it by hand");
        }
      }}
    >
      {copied ? <Check /> : <Copy />}
    </Button>
  );
}

/**
 * A freshly minted token's secret: shown this once (only its hash is kept), with a copy button.
 * `data-testid="token-secret"` holds the secret alone.
 */
export function TokenSecret({ token, className, children }: { token: string; className?: string; children?: React.ReactNode }) {
  return (
    <div role="status" className={cn("grid gap-2 rounded-md border border-status-done/30 bg-status-done/5 px-3 py-2.5", className)}>
      <p className="flex items-center gap-1.5 text-xs font-medium">
        <KeyRound aria-hidden className="size-3.5 text-status-done" />
        Copy this token now: it is shown once and cannot be read again.
      </p>
      <div className="flex items-center gap-1 rounded border bg-background py-1 pr-1 pl-2">
        <code data-testid="token-secret" className="min-w-0 flex-1 font-mono text-xs break-all select-all">
          {token}
        </code>
        <CopyButton text={token} label="token" />
      </div>
      {children}
    </div>
  );
}
