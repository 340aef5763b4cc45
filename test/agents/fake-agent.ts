// A stand-in for a real agent program, launched by the run supervisor in tests (node --import tsx).
// It does what the prompt asks of an agent, through the MCP endpoint with the official client and
// the run's token: claim the task, walk every step with notes, submit an output, complete.
//
// Behaviour, by flag or environment variable:
//   --mode=ok|crash|hang|no-complete   FAKE_AGENT_MODE   (default ok)
//       crash: exit 3 after step 2, printing "boom" on stderr
//       hang: after step 1, wait forever (for cancel and timeout tests)
//       no-complete: walk the steps, then exit 0 without completing
//   --step-ms=N                        FAKE_AGENT_STEP_MS (sleep in each step; default 0)
//   --ignore-term                      FAKE_AGENT_IGNORE_TERM=1 (survive SIGTERM: SIGKILL needed)
import fs from "node:fs";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const flags = new Map<string, string>();
for (const a of process.argv.slice(2)) {
  const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
  if (m) flags.set(m[1], m[2] ?? "true");
}
const mode = flags.get("mode") ?? process.env.FAKE_AGENT_MODE ?? "ok";
const stepMs = Number(flags.get("step-ms") ?? process.env.FAKE_AGENT_STEP_MS ?? 0);
const ignoreTerm = flags.has("ignore-term") || process.env.FAKE_AGENT_IGNORE_TERM === "1";

const say = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

if (ignoreTerm) process.on("SIGTERM", () => say("got SIGTERM, ignoring it"));

function need(name: string): string {
  const v = process.env[name];
  if (!v) {
    process.stderr.write(`fake-agent: ${name} is not set\n`);
    process.exit(2);
  }
  return v;
}

type Json = Record<string, unknown>;

async function main() {
  const url = need("AGENTDESK_URL");
  const token = need("AGENTDESK_TOKEN");
  const taskId = need("AGENTDESK_TASK_ID");
  const promptFile = need("AGENTDESK_PROMPT_FILE");
  const prompt = fs.readFileSync(promptFile, "utf8");
  say(`fake-agent: run ${process.env.AGENTDESK_RUN_ID} on ${taskId}, mode ${mode}`);
  say(`prompt: ${prompt.length} chars, starts "${prompt.split("\n")[0]}"`);
  for (const tool of ["claim_task", "update_step", "submit_output", "complete_task", "block_task", "send_message"]) {
    if (!prompt.includes(tool)) {
      process.stderr.write(`fake-agent: the prompt does not mention ${tool}\n`);
      process.exit(4);
    }
  }

  const client = new Client({ name: "fake-agent", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/api/mcp`), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));

  const call = async (name: string, args: Json): Promise<Json> => {
    const r = (await client.callTool({ name, arguments: args })) as { isError?: boolean; content: { text: string }[] };
    const text = r.content[0]?.text ?? "";
    if (r.isError) throw Object.assign(new Error(`${name}: ${text}`), { text });
    return JSON.parse(text) as Json;
  };

  let leaseToken: number;
  try {
    const claimed = await call("claim_task", { taskId });
    leaseToken = (claimed.lease as { token: number }).token;
    say(`claimed ${taskId} (lease ${leaseToken})`);
  } catch (err) {
    if (!String((err as { text?: string }).text).startsWith("illegal_transition")) throw err;
    const t = await call("get_task", { taskId });
    leaseToken = (t.lease as { token: number }).token;
    say(`resuming ${taskId} (lease ${leaseToken})`);
  }

  const task = await call("get_task", { taskId });
  const steps = task.steps as { position: number; title: string; status: string }[];
  say(`${steps.length} steps`);
  for (const s of steps) {
    if (s.status === "done" || s.status === "skipped") {
      say(`step ${s.position}: ${s.title} (already ${s.status})`);
      continue;
    }
    say(`step ${s.position}: ${s.title}`);
    if (s.status !== "in_progress") await call("update_step", { taskId, position: s.position, status: "in_progress", note: `Working on ${s.title.toLowerCase()}`, leaseToken });
    if (stepMs) await sleep(stepMs);
    await call("update_step", { taskId, position: s.position, status: "done", note: `Finished ${s.title.toLowerCase()} (fake agent)`, leaseToken });
    say(`step ${s.position} done`);
    if (mode === "crash" && s.position === 2) {
      process.stderr.write("boom\n");
      process.exit(3);
    }
    if (mode === "hang" && s.position === 1) {
      say("hanging now");
      setInterval(() => {}, 60_000);
      await new Promise(() => {});
    }
  }
  if (mode === "no-complete") {
    say("leaving without completing");
    await client.close();
    return;
  }

  const out = await call("submit_output", {
    taskId,
    format: "markdown",
    content: `# Result of ${String(task.title)}\n\nEvery step was walked by the fake agent.\n`,
    files: [{ path: "docs/fake-agent.md", action: "created" }],
    leaseToken,
  });
  say(`submitted output v${String(out.version)}`);
  const done = await call("complete_task", { taskId, summary: "All steps done by the fake agent", leaseToken });
  say(`task is ${String(done.status)}`);
  await client.close();
  say("done");
}

main().catch((err) => {
  process.stderr.write(`fake-agent failed: ${(err as Error).message}\n`);
  process.exit(1);
});
