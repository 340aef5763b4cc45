"use client";
import { useEffect } from "react";
import "./globals.css";

/** Replaces the root layout when it fails: own document, follows the OS colour scheme. */
export default function GlobalError({ error, retry }: { error: unknown; retry: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  return (
    <html lang="en">
      <body style={{ fontFamily: "ui-sans-serif, system-ui, sans-serif", margin: 0 }}>
        <title>Error · AgentDesk</title>
        <main role="alert" style={{ maxWidth: 480, margin: "15vh auto", padding: "0 24px", textAlign: "center" }}>
          <h1 style={{ fontSize: 18, fontWeight: 600 }}>AgentDesk could not start this page</h1>
          <p style={{ fontSize: 14, opacity: 0.7 }}>Something went wrong before the app could load. Try again; the server log has the details.</p>
          <button type="button" onClick={() => retry()} style={{ marginTop: 12, padding: "6px 14px", borderRadius: 6, border: "1px solid #ccc", cursor: "pointer" }}>
            Try again
          </button>
        </main>
      </body>
    </html>
  );
}
