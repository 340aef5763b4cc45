import { spawn, type ChildProcess } from "node:child_process";
import { checkResponse } from "./contract";

/**
 * Requests from several processes at once against several API server processes on one database
 * file: the "at the same moment" of the concurrency tests, for real (no single event loop that
 * takes requests one after another).
 */

const tsx = (script: string, args: string[]) => spawn(process.execPath, ["--import", "tsx", script, ...args], { stdio: ["pipe", "pipe", "inherit"] });
const node = (script: string, args: string[]) => spawn(process.execPath, [script, ...args], { stdio: ["pipe", "pipe", "inherit"] });

function firstLine(child: ChildProcess, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    const onData = (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf("\n");
      if (nl >= 0) {
        child.stdout!.off("data", onData);
        resolve(out.slice(0, nl));
      }
    };
    child.stdout!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`${what} exited (${code}) before it was ready: ${out}`)));
  });
}

/** Starts `n` more API servers (separate processes) on the database file; their base URLs and a stop. */
export async function startServerProcesses(location: string, n: number): Promise<{ urls: string[]; stop: () => void }> {
  const children = Array.from({ length: n }, () => tsx("test/api-server-worker.ts", [location]));
  const urls = await Promise.all(children.map(async (c) => `http://127.0.0.1:${(JSON.parse(await firstLine(c, "API server")) as { port: number }).port}`));
  return { urls, stop: () => children.forEach((c) => c.kill("SIGTERM")) };
}

export interface PlannedRequest {
  /** Base URL of the server to send it to. */
  server: string;
  path: string;
  method: string;
  token: string;
  body?: unknown;
}

export interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/**
 * Spreads the requests over `clients` client processes, waits until every one is ready, then tells
 * them all to go at once; each sends its share concurrently. Every answer is checked against its
 * route's declared response (test/contract.ts). Answers come back in the order of `requests`.
 */
export async function sendAtOnce(requests: PlannedRequest[], clients: number): Promise<Answer[]> {
  const shares: number[][] = Array.from({ length: clients }, () => []);
  requests.forEach((_, i) => shares[i % clients].push(i));
  const children = shares.map((share) =>
    node("test/api-client-worker.mjs", [
      JSON.stringify(share.map((i) => ({ url: requests[i].server + requests[i].path, method: requests[i].method, token: requests[i].token, body: requests[i].body }))),
    ]),
  );
  await Promise.all(children.map((c) => firstLine(c, "API client")));
  const outputs = children.map(
    (c) =>
      new Promise<string>((resolve, reject) => {
        let out = "";
        c.stdout!.on("data", (d: Buffer) => (out += d.toString()));
        c.once("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`API client exited ${code}: ${out}`))));
      }),
  );
  for (const c of children) c.stdin!.write("go\n");
  const results = await Promise.all(outputs);
  const answers: Answer[] = new Array(requests.length);
  for (const [k, out] of results.entries()) {
    const list = JSON.parse(out) as { url: string; method: string; status: number; type: string | null; text: string }[];
    for (const [j, a] of list.entries()) {
      const res = new Response(a.status === 204 ? null : a.text, { status: a.status, headers: a.type ? { "content-type": a.type } : {} });
      await checkResponse(a.method, a.url, res);
      answers[shares[k][j]] = { status: a.status, body: a.text ? JSON.parse(a.text) : null };
    }
  }
  return answers;
}
