"use client";
import { Toaster as Sonner } from "sonner";
import { useTheme } from "next-themes";

/** Mounted once in app/providers.tsx. Call `toast(...)` from "sonner" anywhere on the client. */
export function Toaster() {
  const { resolvedTheme } = useTheme();
  return (
    <Sonner
      theme={resolvedTheme === "dark" ? "dark" : "light"}
      position="bottom-right"
      closeButton
      toastOptions={{
        classNames: {
          toast: "!bg-popover !text-popover-foreground !border-border !text-sm !rounded-lg",
          description: "!text-muted-foreground",
        },
      }}
    />
  );
}
