"use client";
import * as React from "react";
import { useRouter } from "next/navigation";
import { useQueryClient } from "@tanstack/react-query";
import { Bell, BellOff, BellRing, LogOut } from "lucide-react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Tooltip } from "@/components/ui/tooltip";
import { errorMessage } from "@/lib/queries/api";
import { signOut } from "@/lib/queries/auth";
import { useNotificationPreference } from "@/components/notifications/preference";

export interface ShellUser {
  id: string;
  name: string;
  email: string;
  role: string;
}

export function useSignOut() {
  const router = useRouter();
  const client = useQueryClient();
  return React.useCallback(async () => {
    try {
      await signOut();
    } catch (err) {
      toast.error("Could not sign out", { description: errorMessage(err) });
      return;
    }
    client.clear();
    router.replace("/sign-in");
    router.refresh();
  }, [client, router]);
}

/** The signed-in person and a sign-out button (POST /api/auth/sign-out, then /sign-in). */
export function UserMenu({ user }: { user: ShellUser }) {
  const signOut = useSignOut();
  const [busy, setBusy] = React.useState(false);
  const initials = (user.name || user.email).slice(0, 1).toUpperCase();
  return (
    <div className="flex min-w-0 items-center gap-2 collapsed:flex-col" data-testid="user-menu">
      <span aria-hidden className="grid size-6 shrink-0 place-items-center rounded-full bg-muted text-[11px] font-semibold">
        {initials}
      </span>
      <span className="min-w-0 flex-1 collapsed:sr-only" title={`${user.email} (${user.role})`}>
        <span className="block truncate text-xs font-medium">{user.name || user.email}</span>
        {user.name && <span className="block truncate text-[11px] text-muted-foreground">{user.email}</span>}
      </span>
      <NotificationToggle userId={user.id} />
      <Tooltip content="Sign out">
        <Button
          variant="ghost"
          size="icon-sm"
          aria-label="Sign out"
          data-testid="sign-out"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            await signOut();
            setBusy(false);
          }}
        >
          <LogOut />
        </Button>
      </Tooltip>
    </div>
  );
}

/**
 * Browser notifications, opt-in per person (components/notifications/preference.ts): asks the
 * browser's permission on the first switch-on; says why when the browser cannot or will not show them.
 */
function NotificationToggle({ userId }: { userId: string }) {
  const { support, enabled, enable, disable } = useNotificationPreference(userId);
  const label =
    support === "unsupported"
      ? "This browser cannot show notifications here (they need HTTPS or localhost)"
      : support === "denied"
        ? "Notifications are blocked for this site: allow them in the browser's site settings"
        : enabled
          ? "Browser notifications are on: turn off"
          : "Turn on browser notifications (escalations, questions, reviews, failed runs, blocked tasks)";
  const Icon = enabled ? BellRing : support === "denied" || support === "unsupported" ? BellOff : Bell;
  return (
    <Tooltip content={label}>
      <Button
        variant="ghost"
        size="icon-sm"
        aria-label="Browser notifications"
        aria-description={label}
        aria-pressed={enabled}
        data-testid="notifications-toggle"
        className={enabled ? "text-status-progress" : undefined}
        onClick={async () => {
          if (enabled) {
            disable();
            toast("Browser notifications off");
            return;
          }
          if (support === "unsupported") {
            toast.error("Notifications are not available", { description: label });
            return;
          }
          const permission = await enable();
          if (permission === "granted") toast.success("Browser notifications on", { description: "Escalations, questions, outputs to review, failed runs and blocked tasks." });
          else toast.error("Notifications are blocked", { description: "Allow them for this site in the browser's settings, then switch them on here." });
        }}
      >
        <Icon />
      </Button>
    </Tooltip>
  );
}
