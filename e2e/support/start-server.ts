// The server under test: a throw-away database with the demo loaded, then the real server.ts
// (production build, the same process layout as `npm start`).
//
// It also serves the scripted Anthropic API stand-in (test/agents/anthropic-stub.ts) that the
// claude-code runners of e2e/support/agentdesk.config.json talk to (ANTHROPIC_BASE_URL there), so
// the REAL Claude Code CLI runs for backend-developer and frontend-developer with no model. One stub
// serves every agent: like test/agents/claude-loop.test.ts, the policy reads the agent's name in the
// latest prompt; what it does on a task is chosen by markers in the task's description (the prompt
// carries it), because the specs run in another process:
//   [e2e:escalate]  escalate to the people at step 2 and block (walks on once woken by the answer)
//   [e2e:consult]   consult frontend-developer at step 4 and block (walks on once woken by the answer)
// Revision rounds (changes requested) skip step 8, as in claude-loop.test.ts case a.
import fs from "node:fs";
import path from "node:path";
import { openDatabase } from "@/db/client";
import { seedDemo } from "@/lib/demo/seed";
import { startAnthropicStub, type Policy } from "@/test/agents/anthropic-stub";
import { createClaudePolicy, latestPromptIndex, promptText, readPrompt, type ClaudePolicyOptions } from "@/test/agents/claude-policy";

const file = process.env.DATABASE_PATH!;
fs.mkdirSync(path.dirname(file), { recursive: true });
for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(file + suffix, { force: true });
const db = openDatabase(file);
seedDemo(db);
db.$client.close();

// The runners' HOME (Claude Code's sessions live there: a wake resumes them) and working folder,
// empty at every start. Their paths are fixed in the config file (relative to its folder).
const configFile = path.resolve(process.env.AGENTDESK_CONFIG ?? "e2e/support/agentdesk.config.json");
type Runner = { preset?: string; cwd?: string; env?: Record<string, string> };
const config = JSON.parse(fs.readFileSync(configFile, "utf8")) as { agents?: Record<string, Runner> };
const claudeRunners = Object.values(config.agents ?? {}).filter((r) => r.preset === "claude-code");
for (const r of claudeRunners) {
  const cwd = path.resolve(path.dirname(configFile), r.cwd ?? ".");
  const dirs = [cwd, ...(r.env?.HOME ? [path.resolve(cwd, r.env.HOME)] : [])];
  for (const d of dirs) {
    fs.rmSync(d, { recursive: true, force: true });
    fs.mkdirSync(d, { recursive: true });
  }
}

const agentOf = (text: string) => /You are the AgentDesk agent `([^`]+)`/.exec(text)?.[1] ?? null;

/** What the scripted model does for this agent and prompt (markers in the task's description). */
function choose(text: string): ClaudePolicyOptions {
  const p = readPrompt(text);
  const opts: ClaudePolicyOptions = { revision: { skip: [8] } };
  if (text.includes("[e2e:escalate]") && p.wake !== "answer") {
    opts.escalate = { atStep: 2, reason: "The orders table has no owner column: which user does an order belong to?" };
  }
  if (text.includes("[e2e:consult]")) opts.consult = { to: "frontend-developer", atStep: 4, subject: "Order payload shape" };
  return opts;
}

const dispatch: Policy = (body) => {
  const messages = body.messages ?? [];
  const at = latestPromptIndex(messages);
  const text = at >= 0 ? promptText(messages[at]) : "";
  const agent = agentOf(text) ?? "backend-developer";
  return createClaudePolicy({ agent, ...choose(text) })(body);
};

const baseUrl = claudeRunners.map((r) => r.env?.ANTHROPIC_BASE_URL).find(Boolean);
if (baseUrl) {
  // On the port the config names.
  await startAnthropicStub(dispatch, { port: Number(new URL(baseUrl).port) });
}

await import("../../server");
