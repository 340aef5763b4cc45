import "server-only";
import fs from "node:fs";
import path from "node:path";
import { createHash, randomBytes } from "node:crypto";
import { MAX_FILE_BYTES } from "./yaml";

/** A name or path that would leave the root, or a file that may not be read or written. */
export class UnsafePathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnsafePathError";
  }
}

export const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

/**
 * One path segment built from a name or id met in a file or the database: never empty, `.` or `..`,
 * no separators, no NUL, no control characters, not absolute, not too long.
 */
export function safeSegment(name: unknown, what: string): string {
  if (typeof name !== "string" || name.length === 0) throw new UnsafePathError(`${what} is empty`);
  if (name.length > 200) throw new UnsafePathError(`${what} is longer than 200 characters`);
  if (/[\x00-\x1f\x7f]/.test(name)) throw new UnsafePathError(`${what} ${JSON.stringify(name)} contains a control character`);
  if (name.includes("/") || name.includes("\\")) throw new UnsafePathError(`${what} ${JSON.stringify(name)} contains a path separator`);
  if (name === "." || name === "..") throw new UnsafePathError(`${what} ${JSON.stringify(name)} is not a name`);
  return name;
}

/** A relative path (posix separators) whose every segment is safe. */
export function safeRelative(rel: string, what: string): string[] {
  if (path.posix.isAbsolute(rel) || path.win32.isAbsolute(rel)) throw new UnsafePathError(`${what} ${JSON.stringify(rel)} is absolute`);
  return rel.split("/").map((s) => safeSegment(s, what));
}

/** The names an Agent_Memory root goes by: the framework's own, and the later `cagents-memory`. */
export const MEMORY_ROOT_NAMES = ["Agent_Memory", "cagents-memory"] as const;

/**
 * The memory folder a path means: itself when it is named like one (or holds none), else the
 * `Agent_Memory/` or `cagents-memory/` folder inside it (a project folder given for its memory).
 */
export function memoryFolder(abs: string): string {
  if ((MEMORY_ROOT_NAMES as readonly string[]).includes(path.basename(abs))) return abs;
  for (const name of MEMORY_ROOT_NAMES) {
    try {
      if (fs.lstatSync(path.join(abs, name)).isDirectory()) return path.join(abs, name);
    } catch {
      // not there
    }
  }
  return abs;
}

/** The root as a real directory path (symlinks resolved), created if asked; a project folder stands for the memory folder in it. */
export function resolveRoot(dir: string, opts: { create?: boolean } = {}): string {
  if (typeof dir !== "string" || dir.includes("\0")) throw new UnsafePathError("The folder path is not valid");
  const abs = memoryFolder(path.resolve(dir));
  if (opts.create) fs.mkdirSync(abs, { recursive: true });
  let real: string;
  try {
    real = fs.realpathSync(abs);
  } catch {
    throw new UnsafePathError(`${abs} does not exist`);
  }
  if (!fs.statSync(real).isDirectory()) throw new UnsafePathError(`${abs} is not a folder`);
  return real;
}

export function isInside(root: string, candidate: string): boolean {
  return candidate === root || candidate.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

/** Absolute path of safe segments under the root, checked lexically. */
export function joinInside(root: string, segments: string[], what = "path"): string {
  const abs = path.resolve(root, ...segments.map((s) => safeSegment(s, what)));
  if (!isInside(root, abs) || abs === root) throw new UnsafePathError(`${what} ${JSON.stringify(segments.join("/"))} leaves the folder`);
  return abs;
}

export const toPosix = (rel: string) => rel.split(path.sep).join("/");

/**
 * Creates the directories of `segments` one by one, refusing any that exists as a symlink or as a
 * file: a planted symlink cannot redirect a write outside the root.
 */
export function ensureDirInside(root: string, segments: string[]): string {
  let cur = root;
  for (const seg of segments) {
    cur = path.join(cur, safeSegment(seg, "folder name"));
    let st: fs.Stats | null = null;
    try {
      st = fs.lstatSync(cur);
    } catch {
      st = null;
    }
    if (!st) {
      try {
        fs.mkdirSync(cur);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
      st = fs.lstatSync(cur);
    }
    if (st.isSymbolicLink()) throw new UnsafePathError(`${toPosix(path.relative(root, cur))} is a symlink: the bridge does not write through symlinks`);
    if (!st.isDirectory()) throw new UnsafePathError(`${toPosix(path.relative(root, cur))} is not a folder`);
  }
  return cur;
}

/**
 * Writes a file atomically: a temp file in the same folder (created exclusively, so never through a
 * planted symlink), then a rename over the target. Readers see the old or the new file, never half.
 */
export function writeFileAtomic(root: string, relSegments: string[], text: string): string {
  const dirSegs = relSegments.slice(0, -1);
  const name = safeSegment(relSegments[relSegments.length - 1], "file name");
  const dir = ensureDirInside(root, dirSegs);
  const target = path.join(dir, name);
  if (!isInside(root, target)) throw new UnsafePathError(`${relSegments.join("/")} leaves the folder`);
  const tmp = path.join(dir, `.${name}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o644);
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(tmp, target);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  return target;
}

/** Removes a file under the root (never a directory, never through a symlinked folder). */
export function removeFileInside(root: string, relSegments: string[]): boolean {
  const abs = joinInside(root, relSegments, "file");
  try {
    const parent = fs.realpathSync(path.dirname(abs));
    if (!isInside(root, parent)) throw new UnsafePathError(`${relSegments.join("/")} is behind a symlink that leaves the folder`);
    const st = fs.lstatSync(abs);
    if (st.isDirectory()) return false;
    fs.unlinkSync(abs);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw err;
  }
}

export interface FileRead {
  text: string;
  hash: string;
  size: number;
  mtimeMs: number;
}

/**
 * Reads a file under the root: its folder must really be inside the root, a symlinked file must point
 * inside the root, and anything above the size cap is refused before it is read.
 */
export function readFileInside(root: string, relSegments: string[], maxBytes = MAX_FILE_BYTES): FileRead {
  const abs = joinInside(root, relSegments, "file");
  const parent = fs.realpathSync(path.dirname(abs));
  if (!isInside(root, parent)) throw new UnsafePathError("its folder is a symlink that leaves the root");
  let target = abs;
  const lst = fs.lstatSync(abs);
  if (lst.isSymbolicLink()) {
    let real: string;
    try {
      real = fs.realpathSync(abs);
    } catch {
      throw new UnsafePathError("it is a symlink to nothing");
    }
    if (!isInside(root, real)) throw new UnsafePathError("it is a symlink that points outside the root");
    target = real;
  }
  const fd = fs.openSync(target, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new UnsafePathError("it is not a regular file");
    if (st.size > maxBytes) throw new UnsafePathError(`it is ${st.size} bytes, over the limit of ${maxBytes} bytes`);
    const buf = Buffer.alloc(Math.min(st.size, maxBytes) + 1);
    let n = 0;
    for (;;) {
      const r = fs.readSync(fd, buf, n, buf.length - n, n);
      if (r === 0) break;
      n += r;
      if (n > maxBytes) throw new UnsafePathError(`it grew over the limit of ${maxBytes} bytes while being read`);
      if (n === buf.length) break;
    }
    const text = buf.subarray(0, n).toString("utf8");
    return { text, hash: sha256(text), size: n, mtimeMs: st.mtimeMs };
  } finally {
    fs.closeSync(fd);
  }
}
