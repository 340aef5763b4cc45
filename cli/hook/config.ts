import fs from "node:fs";
import path from "node:path";

/**
 * `.claude/agentdesk.json`: what `agentdesk connect` set up in a project (where AgentDesk is, the
 * agent and its token, for the hooks) and what it changed (for `connect --remove`). Written 0600: it
 * holds the agent's token. Shared by the connect command and the hook, so it imports only Node.
 */
export const RECORD_FILE = path.join(".claude", "agentdesk.json");

export type StopMode = "block" | "remind";

export interface FileChange {
  /** Relative to the project. */
  file: string;
  /** The file's bytes before (null: it did not exist). */
  original: string | null;
  /** The bytes connect wrote: while the file still holds them, --remove restores `original` exactly. */
  written: string;
}

export interface ConnectRecord {
  version: 1;
  url: string;
  agent: string;
  /** The agent's token, for the hooks. */
  token: string;
  /** Set when connect minted the token (--remove revokes it). */
  tokenId: string | null;
  stop: StopMode;
  /** Seconds between two heartbeats from PostToolUse. */
  heartbeatSeconds: number;
  connectedAt: string;
  mcp: (FileChange & { name: string; previous: unknown; createdServers: boolean }) | { claudeCli: { scope: string; name: string; bin: string } };
  hooks: FileChange & { groups: unknown; created: string[] };
  /** Folders connect created (removed again when empty). */
  createdDirs: string[];
}

/** The record of `dir` or of the nearest folder above it that has one. */
export function findRecord(dir: string): { root: string; record: ConnectRecord } | null {
  let d = path.resolve(dir);
  for (;;) {
    let text: string | null = null;
    try {
      text = fs.readFileSync(path.join(d, RECORD_FILE), "utf8");
    } catch {
      // not here: look one level up
    }
    if (text !== null) return { root: d, record: JSON.parse(text) as ConnectRecord };
    const up = path.dirname(d);
    if (up === d) return null;
    d = up;
  }
}
