"use client";
import * as React from "react";
import { QueryClientProvider } from "@tanstack/react-query";
import { ThemeProvider } from "next-themes";
import { makeQueryClient } from "@/lib/queries/client";
import { TooltipProvider } from "@/components/ui/tooltip";
import { Toaster } from "@/components/ui/toaster";

/*
 * next-themes renders an inline <script> that must run before paint (server HTML only). When React
 * renders it again on the client (e.g. a not-found recovery), React 19 warns about a script that will
 * not run; marking it non-executable on the client keeps the console clean without changing anything.
 */
const themeScriptProps = { type: typeof window === "undefined" ? "text/javascript" : "application/json" } as const;

export function Providers({ children, nonce }: { children: React.ReactNode; nonce?: string }) {
  const [client] = React.useState(makeQueryClient);
  return (
    <ThemeProvider attribute="class" defaultTheme="system" enableSystem disableTransitionOnChange nonce={nonce} scriptProps={themeScriptProps}>
      <QueryClientProvider client={client}>
        <TooltipProvider delayDuration={400} skipDelayDuration={200}>
          {children}
          <Toaster />
        </TooltipProvider>
      </QueryClientProvider>
    </ThemeProvider>
  );
}
