import { afterAll, beforeAll } from "vitest";
import { startTestServer, type TestServer } from "./server";

/**
 * One in-process test server for the calling file's tests: started before them (then `onStart`
 * hands it over, to keep and to take tokens from), closed after them.
 */
export function withTestServer(onStart: (s: TestServer) => void): void {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer();
    onStart(server);
  });
  afterAll(() => server?.close());
}
