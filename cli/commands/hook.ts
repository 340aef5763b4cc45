import type { Command } from "commander";
import { HOOK_EVENT_NAMES, hookMain } from "../hook/run";

/**
 * `agentdesk hook <event>` in the full CLI, for --help and for runs through tsx. bin/agentdesk.mjs
 * sends `agentdesk hook` straight to the prebuilt bin/agentdesk-hook.mjs instead (same code, no tsx).
 */
export function registerHookCommand(program: Command) {
  program
    .command("hook")
    .description(`Claude Code hook (${HOOK_EVENT_NAMES.join(", ")}): reads the event's JSON on stdin, answers on stdout; always exits 0`)
    .argument("<event>", HOOK_EVENT_NAMES.join(" | "))
    .action(async (event: string) => {
      await hookMain([event]);
    });
}
