// Deterministic, realistic bulk data for benchmarks: `npm run bench:data -- --scale large [--db FILE]`.
// Rows go in through prepared statements in large transactions (the service verbs would take an
// hour for a million messages); the shapes are the ones the verbs write, events included.
import fs from "node:fs";
import path from "node:path";
import { openDatabase } from "@/db/client";
import { agentDirsFromEnv, loadAgentDefinitions } from "@/lib/agents";
import { syncAgents } from "@/lib/services";

export const scales = {
  tiny: { agents: 10, instructions: 50, tasks: 500, outputs: 250, messages: 5_000 },
  small: { agents: 20, instructions: 500, tasks: 5_000, outputs: 2_500, messages: 50_000 },
  medium: { agents: 50, instructions: 2_000, tasks: 20_000, outputs: 10_000, messages: 200_000 },
  large: { agents: 100, instructions: 10_000, tasks: 100_000, outputs: 50_000, messages: 1_000_000 },
} as const;
export type Scale = keyof typeof scales;

function mulberry32(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const roles = ["backend-developer", "frontend-developer", "security-specialist", "architect", "tech-lead", "qa-lead", "planner", "router", "orchestrator", "self-correct"];
const messageTypes = ["delegation", "consultation", "consultation_response", "review_request", "review_response", "escalation", "status_update", "reminder", "broadcast", "progress_report", "handoff"];
const words = (
  "api endpoint schema migration index query cache token session review security latency throughput order payment invoice customer " +
  "refund webhook retry idempotency cursor pagination tenant audit deploy rollback feature flag test coverage fixture benchmark queue " +
  "worker lease heartbeat timeout contract frontend component accessibility keyboard dark theme layout error validation rate limit " +
  "backup restore replica shard partition vacuum checkpoint transaction lock deadlock trigger constraint foreign key cascade"
).split(" ");
// A long tail of rarer terms (names, jargon, identifiers) drawn in Zipf proportions, one word in ten:
// full-text search then meets rare words (tens of matches in a million messages) as well as the
// common vocabulary above (in most messages).
const syllables = ["ka", "lo", "mi", "ver", "tan", "dor", "pex", "qui", "sul", "rin", "bo", "zet", "fa", "gli", "mon", "tra", "vek", "yul", "hor", "nib"];
export const TAIL_WORDS = 8000;
/** The tail term of a rank (1 = most frequent), three syllables: deterministic, so benches can search for it. */
export function tailWord(rank: number): string {
  let n = rank - 1;
  let w = "";
  for (let i = 0; i < 3; i++) {
    w += syllables[n % syllables.length];
    n = Math.floor(n / syllables.length);
  }
  return w;
}
const tailCdf = (() => {
  const w = Array.from({ length: TAIL_WORDS }, (_, i) => 1 / Math.pow(i + 1, 1.07));
  const total = w.reduce((a, b) => a + b, 0);
  let acc = 0;
  return w.map((x) => (acc += x / total));
})();
function tailRank(u: number): number {
  let lo = 0;
  let hi = tailCdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tailCdf[mid] < u) lo = mid + 1;
    else hi = mid;
  }
  return lo + 1;
}

const stepNotes = [
  "Read the spec",
  "Found the existing pattern",
  "Plan agreed",
  "Asked frontend about the shape",
  "Handler in place",
  "Added an index",
  "Tests green",
  "Security review requested",
  "p99 under target",
  "Documented with examples",
];

/** Where the generated colleagues' definition files go: beside the database file. */
export const agentsDirFor = (dbFile: string) => `${dbFile.replace(/\.db$/, "")}-agents`;

export function generate(file: string, scale: Scale, log = console.log) {
  const size = scales[scale];
  for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(file + suffix, { force: true });
  const db = openDatabase(file);
  const sqlite = db.$client;
  const rand = mulberry32(20261126);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const sentence = (min: number, max: number) => {
    const n = min + Math.floor(rand() * (max - min));
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(rand() < 0.1 ? tailWord(tailRank(rand())) : pick(words));
    return out.join(" ");
  };
  const markdown = () => {
    const paras = 1 + Math.floor(rand() * 4);
    const out: string[] = [];
    for (let i = 0; i < paras; i++) out.push(rand() < 0.3 ? `- ${sentence(3, 9)}\n- ${sentence(3, 9)}` : sentence(8, 40));
    return out.join("\n\n");
  };
  const started = Date.now();
  const t0 = Date.UTC(2026, 0, 1);
  const span = 300 * 24 * 3600_000;

  // Agents: the three real definitions plus protocol-named colleagues up to the scale's count. The
  // colleagues are written as definition files beside the database (<db>-agents/), so a server started
  // with AGENTS_DIR=agents:<db>-agents keeps all of them active instead of retiring the ones it
  // cannot find on disk (bench/run.ts does that for the page measurements).
  const defs = loadAgentDefinitions(agentDirsFromEnv()).agents;
  const base = defs.find((d) => d.name === "backend-developer")!;
  const extraDir = agentsDirFor(file);
  fs.rmSync(extraDir, { recursive: true, force: true });
  fs.mkdirSync(extraDir, { recursive: true });
  const baseText = fs.readFileSync(base.sourcePath ?? path.join("agents", "backend-developer.md"), "utf8");
  for (let i = 0; defs.length + i < size.agents; i++) {
    const role = roles[i % roles.length];
    const name = `${role}-${String(Math.floor(i / roles.length) + 1).padStart(2, "0")}`;
    fs.writeFileSync(path.join(extraDir, `${name}.md`), baseText.replace(/^name: .*$/m, `name: ${name}`));
  }
  const all = loadAgentDefinitions([...agentDirsFromEnv(), extraDir]).agents;
  syncAgents({ db, actor: { kind: "system", name: "bench" } }, all);
  const agentNames = all.map((a) => a.name);
  const stepsByAgent = new Map(all.map((a) => [a.name, a.steps]));

  const insInst = sqlite.prepare(`INSERT INTO instructions (id, title, body, tier, priority, phase, created_by, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`);
  const insTask = sqlite.prepare(
    `INSERT INTO tasks (id, instruction_id, ref, title, description, type, assigned_agent, status, priority, priority_rank, authority, acceptance_criteria, files_to_modify, files_to_create, lease_token, lease_expires_at, last_heartbeat_at, claimed_at, completed_at, created_by, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, 'create', ?, ?, ?, ?, 'review_required', ?, '[]', '[]', ?, ?, ?, ?, ?, 'bench', ?, ?, 1)`,
  );
  const insStep = sqlite.prepare(`INSERT INTO task_steps (task_id, position, title, guidance, status, note, started_at, ended_at, updated_at, version) VALUES (?, ?, ?, '', ?, ?, ?, ?, ?, 1)`);
  const insOut = sqlite.prepare(
    `INSERT INTO outputs (id, task_id, version, format, language, content, files, status, step_position, submitted_by, created_at) VALUES (?, ?, ?, ?, ?, ?, '[]', ?, 5, ?, ?)`,
  );
  const insMsg = sqlite.prepare(
    `INSERT INTO messages (id, thread_id, in_reply_to, from_kind, from_name, to_inbox, type, priority, subject, body, instruction_id, task_id, created_at, read_at) VALUES (?, ?, ?, 'agent', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insEvent = sqlite.prepare(`INSERT INTO events (at, actor_kind, actor_id, verb, entity_kind, entity_id, instruction_id, task_id, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const id = (prefix: string, n: number) => `${prefix}_${String(n).padStart(9, "0")}`;

  const instIds: string[] = [];
  sqlite.transaction(() => {
    for (let i = 0; i < size.instructions; i++) {
      const at = t0 + Math.floor((i / size.instructions) * span);
      const d = new Date(at);
      const day = `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, "0")}${String(d.getUTCDate()).padStart(2, "0")}`;
      const instId = `inst_${day}_${String(i % 1000).padStart(3, "0")}${i >= 1000 ? `_${Math.floor(i / 1000)}` : ""}`;
      instIds.push(instId);
      insInst.run(
        instId,
        sentence(3, 8),
        markdown(),
        Math.floor(rand() * 5),
        pick(["critical", "high", "normal", "normal", "low"]),
        pick(["executing", "executing", "validating", "completed", "planning"]),
        "bench@agentdesk.local",
        at,
        at,
      );
      insEvent.run(at, "person", "bench@agentdesk.local", "instruction.created", "instruction", instId, instId, null, "{}");
    }
  })();
  log(`instructions: ${size.instructions}`);

  const statuses = ["pending", "in_progress", "blocked", "in_review", "completed", "completed", "completed", "cancelled"] as const;
  const ranks: Record<string, number> = { critical: 0, high: 1, normal: 2, low: 3 };
  const taskIds: { id: string; agent: string; inst: string; status: string }[] = [];
  const batch = 10_000;
  for (let start = 0; start < size.tasks; start += batch) {
    sqlite.transaction(() => {
      for (let i = start; i < Math.min(size.tasks, start + batch); i++) {
        const inst = instIds[Math.floor((i / size.tasks) * instIds.length)];
        const agent = i % 3 === 0 ? "backend-developer" : pick(agentNames);
        const status = pick(statuses);
        const priority = pick(["critical", "high", "normal", "normal", "low"]);
        const at = t0 + Math.floor((i / size.tasks) * span);
        const tid = id("tsk", i);
        const leased = status === "in_progress" || status === "blocked";
        insTask.run(
          tid,
          inst,
          `T${i}`,
          sentence(3, 9),
          markdown(),
          agent,
          status,
          priority,
          ranks[priority],
          JSON.stringify([sentence(4, 8), sentence(4, 8)]),
          leased ? 1 : 0,
          leased ? at + 1800_000 : null,
          leased ? at : null,
          leased ? at : null,
          status === "completed" ? at + 3600_000 : null,
          at,
          at + 60_000,
        );
        const steps = stepsByAgent.get(agent) ?? [];
        const reached = status === "pending" ? 0 : status === "completed" || status === "in_review" ? steps.length : 1 + Math.floor(rand() * steps.length);
        for (const st of steps) {
          const stStatus =
            st.position < reached
              ? "done"
              : st.position === reached && status !== "completed" && status !== "in_review"
                ? status === "blocked"
                  ? "blocked"
                  : "in_progress"
                : st.position <= reached
                  ? "done"
                  : "pending";
          const began = stStatus === "pending" ? null : at + st.position * 60_000;
          insStep.run(
            tid,
            st.position,
            st.title,
            stStatus,
            stStatus === "pending" ? null : stepNotes[(st.position - 1) % stepNotes.length],
            began,
            stStatus === "done" ? began! + 120_000 : null,
            began,
          );
          if (stStatus !== "pending") insEvent.run(began, "agent", agent, `step.${stStatus}`, "step", `${tid}#${st.position}`, inst, tid, JSON.stringify({ status: stStatus, position: st.position }));
        }
        insEvent.run(at, "person", "bench@agentdesk.local", "task.created", "task", tid, inst, tid, "{}");
        taskIds.push({ id: tid, agent, inst, status });
      }
    })();
  }
  log(`tasks: ${size.tasks} (with steps)`);

  sqlite.transaction(() => {
    let n = 0;
    for (let i = 0; n < size.outputs; i++) {
      const t = taskIds[(i * 7) % taskIds.length];
      const versions = 1 + (i % 3);
      for (let v = 1; v <= versions && n < size.outputs; v++, n++) {
        const latest = v === versions;
        const st = latest ? (t.status === "in_review" ? "pending_review" : t.status === "completed" ? "approved" : "pending_review") : "changes_requested";
        const format = pick(["markdown", "yaml", "json", "code"]);
        insOut.run(
          id("out", n),
          t.id,
          v + (i >= taskIds.length ? Math.floor(i / taskIds.length) * 3 : 0),
          format,
          format === "code" ? "typescript" : null,
          markdown(),
          st,
          t.agent,
          t0 + Math.floor(rand() * span),
        );
      }
    }
  })();
  log(`outputs: ${size.outputs}`);

  let m = 0;
  const inboxes = [...agentNames, "hitl"];
  while (m < size.messages) {
    sqlite.transaction(() => {
      const end = Math.min(size.messages, m + 20_000);
      while (m < end) {
        const t = taskIds[Math.floor(rand() * taskIds.length)];
        const threadLen = 1 + Math.floor(Math.pow(rand(), 3) * 40);
        const a = t.agent;
        const b = pick(inboxes);
        const threadId = id("msg", m);
        const subject = sentence(3, 8);
        let at = t0 + Math.floor(rand() * span);
        let prev: string | null = null;
        for (let k = 0; k < threadLen && m < end; k++, m++) {
          const mid = id("msg", m);
          const [from, to] = k % 2 === 0 ? [a, b] : [b === "hitl" ? "backend-developer" : b, a];
          at += 60_000 + Math.floor(rand() * 3_600_000);
          insMsg.run(
            mid,
            threadId,
            prev,
            from,
            to,
            k === 0 ? pick(messageTypes) : "reply",
            pick(["critical", "high", "normal", "normal", "normal", "low"]),
            k === 0 ? subject : `Re: ${subject}`,
            markdown(),
            t.inst,
            t.id,
            at,
            rand() < 0.7 ? at + 60_000 : null,
          );
          if (m % 10 === 0) insEvent.run(at, "agent", from, "message.sent", "message", mid, t.inst, t.id, JSON.stringify({ to }));
          prev = mid;
        }
      }
    })();
    if (m % 200_000 === 0 || m === size.messages) log(`messages: ${m}`);
  }
  sqlite.pragma("wal_checkpoint(TRUNCATE)");
  // No ANALYZE: nothing in AgentDesk gathers planner statistics, so a real database plans its
  // queries without them, and so must the benchmark's.
  const bytes = fs.statSync(file).size;
  db.$client.close();
  return { file, scale, seconds: (Date.now() - started) / 1000, bytes, ...size, steps: size.tasks * 10 };
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("bench/generate.ts")) {
  const args = process.argv.slice(2);
  const scale = (args[args.indexOf("--scale") + 1] ?? "small") as Scale;
  if (!(scale in scales)) throw new Error(`--scale must be one of ${Object.keys(scales).join(", ")}`);
  const fileArg = args.includes("--db") ? args[args.indexOf("--db") + 1] : path.join("bench", "data", `${scale}.db`);
  fs.mkdirSync(path.dirname(fileArg), { recursive: true });
  const r = generate(path.resolve(fileArg), scale);
  console.log(`Generated ${r.scale} dataset in ${r.seconds.toFixed(1)} s: ${(r.bytes / 1024 / 1024).toFixed(0)} MiB at ${r.file}`);
}
