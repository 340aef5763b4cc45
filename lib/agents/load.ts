import "server-only";
import fs from "node:fs";
import path from "node:path";
import { packageRoot } from "@/lib/domain/install";
import { MAX_DEFINITION_BYTES, type AgentDefinition, type AgentProblem } from "./definition";
import { parseAgentDefinition } from "./parse";

export interface LoadAgentDefinitionsResult {
  agents: AgentDefinition[];
  problems: AgentProblem[];
}

// Markdown that commonly sits next to definitions without being one; skipped silently so that a
// documented agents folder does not show up as a list of problems.
const NOT_DEFINITIONS = new Set(["readme.md", "changelog.md", "contributing.md", "license.md"]);

/**
 * Loads `<dir>/<name>.md` and `<dir>/<name>/SKILL.md` from each folder, in the order given.
 * A name defined twice keeps its first definition (earlier folder first; within a folder, entries
 * in code-point order), so a folder listed first in AGENTS_DIR can override a shared one.
 * Never throws for file-system trouble: a missing folder or unreadable file becomes a problem.
 */
export function loadAgentDefinitions(dirs: string[]): LoadAgentDefinitionsResult {
  const problems: AgentProblem[] = [];
  const byName = new Map<string, AgentDefinition>();
  const seenDirs = new Set<string>();

  for (const dir of dirs) {
    const resolved = path.resolve(dir);
    // The same folder listed twice would otherwise report every agent in it as a duplicate.
    if (seenDirs.has(resolved)) continue;
    seenDirs.add(resolved);

    for (const file of listDefinitionFiles(dir, problems)) {
      const text = readDefinitionFile(file, problems);
      if (text === null) continue;
      const parsed = parseAgentDefinition(text, file);
      problems.push(...parsed.problems);
      const definition = parsed.definition;
      if (!definition) continue;
      const first = byName.get(definition.name);
      if (first) {
        problems.push({
          file,
          message: `duplicate agent name "${definition.name}" (already defined in ${first.sourcePath}); ignored`,
          severity: "error",
        });
        continue;
      }
      byName.set(definition.name, definition);
    }
  }

  const agents = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { agents, problems };
}

/**
 * AGENTS_DIR lists folders separated by ":" (the platform's PATH separator); default ./agents, or,
 * in the installed package when there is no ./agents, the definitions it ships (lib/domain/install.ts).
 */
export function agentDirsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): string[] {
  const dirs = (env.AGENTS_DIR ?? "")
    .split(path.delimiter)
    .map((dir) => dir.trim())
    .filter((dir) => dir !== "")
    .map((dir) => path.resolve(dir));
  return dirs.length > 0 ? dirs : [defaultAgentsDir()];
}

function defaultAgentsDir(): string {
  const local = path.join(process.cwd(), "agents");
  const root = packageRoot();
  return root && !fs.existsSync(local) ? path.join(root, "agents") : local;
}

function listDefinitionFiles(dir: string, problems: AgentProblem[]): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    problems.push({ file: dir, message: describeDirError(error), severity: "error" });
    return [];
  }

  const files: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (entry.name.startsWith(".") || entry.name.startsWith("_")) continue;
    const full = path.join(dir, entry.name);
    const kind = entryKind(entry, full);
    if (kind === "file") {
      if (/\.md$/i.test(entry.name) && !NOT_DEFINITIONS.has(entry.name.toLowerCase())) files.push(full);
    } else if (kind === "dir") {
      // Folders without a SKILL.md (resources/, examples/) are not agents.
      const skill = findSkillFile(full);
      if (skill) files.push(skill);
    }
  }
  return files;
}

function entryKind(entry: fs.Dirent, full: string): "file" | "dir" | "other" {
  if (entry.isFile()) return "file";
  if (entry.isDirectory()) return "dir";
  if (entry.isSymbolicLink()) {
    try {
      const stat = fs.statSync(full);
      return stat.isFile() ? "file" : stat.isDirectory() ? "dir" : "other";
    } catch {
      return "other"; // a dangling link is not a definition
    }
  }
  return "other";
}

function findSkillFile(folder: string): string | null {
  try {
    const name = fs.readdirSync(folder).find((entry) => entry.toLowerCase() === "skill.md");
    if (!name) return null;
    const full = path.join(folder, name);
    return fs.statSync(full).isFile() ? full : null;
  } catch {
    return null;
  }
}

function readDefinitionFile(file: string, problems: AgentProblem[]): string | null {
  try {
    // Checked before reading so a huge stray file costs a stat, not a read.
    const size = fs.statSync(file).size;
    if (size > MAX_DEFINITION_BYTES) {
      problems.push({ file, message: `file is larger than 1 MiB (${size} bytes)`, severity: "error" });
      return null;
    }
    return fs.readFileSync(file, "utf8");
  } catch (error) {
    problems.push({ file, message: `cannot be read (${errorCode(error)})`, severity: "error" });
    return null;
  }
}

function describeDirError(error: unknown): string {
  const code = errorCode(error);
  if (code === "ENOENT") return "agents folder does not exist";
  if (code === "ENOTDIR") return "agents folder is not a folder";
  return `agents folder cannot be read (${code})`;
}

function errorCode(error: unknown): string {
  if (error && typeof error === "object" && "code" in error && typeof error.code === "string") return error.code;
  return error instanceof Error ? error.message : String(error);
}
