/**
 * How this AgentDesk was installed. A clone runs its TypeScript sources (tsx, `npm start`); the npm
 * package runs the compiled build (dist/, .next/) and has no sources. bin/agentdesk.mjs, the one entry
 * of the package, records the package's folder under this key before it loads dist/cli.mjs; every module of the
 * process (the CLI, the server, the pages Next bundled) reads the same value from globalThis.
 *
 * What differs when installed (docs/settings.md): the data lives in the per-user data folder
 * (db/client.ts), the migrations, the agent definitions and the hook bundle are the package's own.
 * No Node or React here: db/ and every layer may import it.
 */
const key = Symbol.for("agentdesk.packageRoot");
type WithRoot = typeof globalThis & { [key]?: string };

/** The installed package's folder, or null in a clone. */
export function packageRoot(): string | null {
  return (globalThis as WithRoot)[key] ?? null;
}
