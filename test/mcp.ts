// The MCP tests' shared setup: one real server for the file, and the clients it opened, closed after.
import { afterAll, beforeAll } from "vitest";
import { startTestServer, type TestServer } from "./server";

/**
 * Starts a test server before the file's tests (handing it to `onStart`) and, after them, runs the
 * returned closers (the clients the tests push there; a failing one is ignored), then closes it.
 */
export function serverWithClosers(onStart: (s: TestServer) => void): (() => Promise<void>)[] {
  const closers: (() => Promise<void>)[] = [];
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    onStart(server);
  });
  afterAll(async () => {
    for (const close of closers) await close().catch(() => {});
    await server.close();
  });
  return closers;
}
