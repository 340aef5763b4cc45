import fs from "node:fs";
import path from "node:path";
import { Option, type Command } from "commander";
import { blockerTypes, outputFormats, PEOPLE_INBOX, priorities, reportableStepStatuses, taskStatuses } from "@/lib/domain/vocabulary";
import { usageError } from "./errors";
import { printJson, shortDate, table } from "./format";
import { apiClient, type ConnectionOptions } from "./http";
import { registerAgentsCommands } from "./commands/agents";

/**
 * Commands an agent (or a script acting as one) runs against a live AgentDesk over HTTP. They
 * never open the database: the token decides who acts, the server decides what is allowed.
 */

type Globals = ConnectionOptions & { json?: boolean };

const globals = (cmd: Command) => cmd.optsWithGlobals<Globals>();
const client = (cmd: Command) => apiClient(globals(cmd));
const out = (s: string): void => void process.stdout.write(s.endsWith("\n") ? s : `${s}\n`);

const STEP_STATUSES: readonly string[] = reportableStepStatuses;
const FORMATS = [...outputFormats];
const LANGUAGES: Record<string, string> = {
  ".ts": "typescript",
  ".tsx": "tsx",
  ".js": "javascript",
  ".mjs": "javascript",
  ".jsx": "jsx",
  ".py": "python",
  ".go": "go",
  ".rs": "rust",
  ".java": "java",
  ".rb": "ruby",
  ".sql": "sql",
  ".sh": "bash",
  ".css": "css",
  ".html": "html",
};

function positiveInt(value: string, what: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw usageError(`${what} must be a positive whole number, not "${value}"`);
  return n;
}

interface MessageLike {
  id: string;
  from?: { name: string };
  type: string;
  subject: string;
  body: string;
  createdAt: string;
  readAt: string | null;
}

interface TaskLike {
  id: string;
  ref: string;
  title: string;
  status: string;
  priority: string;
  progress?: { total: number; done: number; skipped: number };
  lease?: { token: number; expiresAt: string } | null;
}

export function registerAgentCommands(program: Command) {
  program
    .command("whoami")
    .description("Show who the token belongs to")
    .action(async (_o, cmd: Command) => {
      const me = await client(cmd).get<{ kind: string; name: string; email?: string; role?: string; agent?: { steps?: unknown[] } }>("/me");
      if (globals(cmd).json) return printJson(me);
      out(me.kind === "agent" ? `agent ${me.name} (${me.agent?.steps?.length ?? 0} steps in its Response Approach)` : `${me.kind} ${me.email ?? me.name} (${me.role ?? ""})`);
    });

  program
    .command("tasks")
    .description("List your tasks")
    .addOption(new Option("--status <status>", "only tasks in this status").choices(taskStatuses))
    .option("--limit <n>", "page size")
    .action(async (o: { status?: string; limit?: string }, cmd: Command) => {
      const page = await client(cmd).get<{ items: TaskLike[] }>("/tasks", { status: o.status, limit: o.limit ? positiveInt(o.limit, "--limit") : undefined });
      if (globals(cmd).json) return printJson(page);
      if (page.items.length === 0) return out("No tasks.");
      out(
        table(
          page.items.map((t) => ({ ...t, steps: t.progress ? `${t.progress.done + t.progress.skipped}/${t.progress.total}` : "-" })),
          [
            ["id", "id"],
            ["ref", "ref"],
            ["status", "status"],
            ["priority", "priority"],
            ["steps", "steps"],
            ["title", "title"],
          ],
        ),
      );
    });

  program
    .command("claim")
    .description("Claim your next ready task (or --task ID)")
    .option("--task <id>", "claim this pending task")
    .action(async (o: { task?: string }, cmd: Command) => {
      const task = await client(cmd).post<TaskLike>("/tasks/claim", o.task ? { taskId: o.task } : {});
      if (globals(cmd).json) return printJson(task);
      if (!task) {
        process.stderr.write("No task is ready for you.\n");
        return;
      }
      out(`Claimed ${task.id} (${task.ref}) ${task.title}`);
      if (task.lease) out(`Lease ${task.lease.token} until ${shortDate(task.lease.expiresAt)} UTC; every update renews it.`);
    });

  program
    .command("step")
    .description("Report a step: in_progress, done, skipped or blocked")
    .argument("<task>", "task id")
    .argument("<position>", "step number, from 1")
    .argument("<status>", STEP_STATUSES.join(" | "))
    .option("--note <text>", "what you did (required for skipped and blocked)")
    .option("--lease <token>", "your lease token, to detect a lost lease")
    .action(async (taskId: string, position: string, status: string, o: { note?: string; lease?: string }, cmd: Command) => {
      if (!STEP_STATUSES.includes(status)) throw usageError(`Status must be one of ${STEP_STATUSES.join(", ")}, not "${status}"`);
      const pos = positiveInt(position, "POSITION");
      const r = await client(cmd).post<{ step: { position: number; title: string; status: string }; task: TaskLike; progress: { total: number; done: number; skipped: number } }>(
        `/tasks/${encodeURIComponent(taskId)}/steps/${pos}`,
        { status, note: o.note, leaseToken: o.lease !== undefined ? Number(o.lease) : undefined },
      );
      if (globals(cmd).json) return printJson(r);
      out(`Step ${r!.step.position} (${r!.step.title}): ${r!.step.status}. ${r!.progress.done + r!.progress.skipped}/${r!.progress.total} steps finished; task ${r!.task.status}.`);
    });

  program
    .command("output")
    .description("Submit an output version for review")
    .argument("<task>", "task id")
    .addOption(new Option("--format <format>", "output format").choices(FORMATS).makeOptionMandatory())
    .option("--file <path>", "read the content from this file")
    .option("--content <text>", "the content itself")
    .option("--language <lang>", "language of code output (guessed from --file's extension)")
    .option("--step <n>", "the step it belongs to")
    .option("--files <paths>", "comma-separated files you created or changed")
    .action(async (taskId: string, o: { format: string; file?: string; content?: string; language?: string; step?: string; files?: string }, cmd: Command) => {
      if (!!o.file === (o.content !== undefined)) throw usageError("Give the content with exactly one of --file PATH or --content TEXT");
      let content = o.content ?? "";
      if (o.file) {
        try {
          content = fs.readFileSync(o.file, "utf8");
        } catch (err) {
          throw usageError(`Cannot read ${o.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
        }
      }
      const language = o.language ?? (o.format === "code" && o.file ? LANGUAGES[path.extname(o.file).toLowerCase()] : undefined);
      const files = o.files
        ? o.files
            .split(",")
            .map((f) => f.trim())
            .filter(Boolean)
        : undefined;
      const r = await client(cmd).post<{ id: string; version: number; status: string }>(`/tasks/${encodeURIComponent(taskId)}/outputs`, {
        format: o.format,
        content,
        language,
        files,
        stepPosition: o.step ? positiveInt(o.step, "--step") : undefined,
      });
      if (globals(cmd).json) return printJson(r);
      out(`Output v${r!.version} (${r!.id}) submitted: ${r!.status.replace("_", " ")}.`);
    });

  program
    .command("complete")
    .description("Say the task is finished (every step done or skipped)")
    .argument("<task>", "task id")
    .option("--summary <text>", "what was done")
    .action(async (taskId: string, o: { summary?: string }, cmd: Command) => {
      const t = await client(cmd).post<TaskLike>(`/tasks/${encodeURIComponent(taskId)}/complete`, { summary: o.summary });
      if (globals(cmd).json) return printJson(t);
      out(`Task ${t!.id} is ${t!.status.replace("_", " ")}.`);
    });

  program
    .command("block")
    .description("Mark a task blocked, with the reason")
    .argument("<task>", "task id")
    .requiredOption("--reason <text>", "why you cannot go on")
    .addOption(new Option("--type <type>", "kind of blocker").choices(blockerTypes))
    .action(async (taskId: string, o: { reason: string; type?: string }, cmd: Command) => {
      const t = await client(cmd).post<TaskLike>(`/tasks/${encodeURIComponent(taskId)}/block`, { reason: o.reason, blockerType: o.type });
      if (globals(cmd).json) return printJson(t);
      out(`Task ${t!.id} is blocked.`);
    });

  program
    .command("inbox")
    .description("Read your inbox, newest first")
    .option("--unread", "only unread messages")
    .option("--limit <n>", "page size")
    .action(async (o: { unread?: boolean; limit?: string }, cmd: Command) => {
      const page = await client(cmd).get<{ items: MessageLike[]; unreadCount: number }>("/inbox", {
        unread: o.unread ? true : undefined,
        limit: o.limit ? positiveInt(o.limit, "--limit") : undefined,
      });
      if (globals(cmd).json) return printJson(page);
      if (page.items.length === 0) return out(o.unread ? "No unread messages." : "Your inbox is empty.");
      out(
        table(
          page.items.map((m) => ({
            id: m.id,
            new: m.readAt ? "" : "*",
            from: m.from?.name,
            type: m.type,
            at: shortDate(m.createdAt),
            about: m.subject || m.body,
          })),
          [
            ["new", ""],
            ["id", "id"],
            ["at", "at"],
            ["from", "from"],
            ["type", "type"],
            ["about", "subject"],
          ],
        ),
      );
      out(`${page.unreadCount} unread.`);
    });

  program
    .command("send")
    .description(`Send a message to an agent or to the people (${PEOPLE_INBOX})`)
    .requiredOption("--to <inbox>", `agent name, or ${PEOPLE_INBOX} for the people`)
    .requiredOption("--type <type>", "consultation, review_request, escalation, status_update, ...")
    .requiredOption("--body <text>", "the message")
    .option("--subject <text>", "one line")
    .option("--task <id>", "the task it concerns")
    .option("--step <n>", "the step it concerns (with --task)")
    .addOption(new Option("--priority <p>", "priority").choices(priorities))
    .action(async (o: { to: string; type: string; body: string; subject?: string; task?: string; step?: string; priority?: string }, cmd: Command) => {
      const m = await client(cmd).post<{ id: string; to: string }>("/messages", {
        to: o.to,
        type: o.type,
        body: o.body,
        subject: o.subject,
        taskId: o.task,
        stepPosition: o.step ? positiveInt(o.step, "--step") : undefined,
        priority: o.priority,
      });
      if (globals(cmd).json) return printJson(m);
      out(`Sent ${m!.id} to ${m!.to}.`);
    });

  program
    .command("reply")
    .description("Reply to a message in its thread")
    .argument("<message>", "message id")
    .requiredOption("--body <text>", "your answer")
    .option("--type <type>", "message type (default: the matching response type)")
    .action(async (messageId: string, o: { body: string; type?: string }, cmd: Command) => {
      const m = await client(cmd).post<{ id: string; to: string }>(`/messages/${encodeURIComponent(messageId)}/reply`, { body: o.body, type: o.type });
      if (globals(cmd).json) return printJson(m);
      out(`Replied ${m!.id} to ${m!.to}.`);
    });

  // `agents export`: files, not HTTP; registered here (under a help group of its own) so that
  // program.ts needs no change.
  registerAgentsCommands(program);
}
