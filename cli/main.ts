#!/usr/bin/env node
// The agentdesk command (run through tsx; bin/agentdesk.mjs is the launcher npx uses).
import { run } from "./program";

process.exitCode = await run(process.argv.slice(2));
