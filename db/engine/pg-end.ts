// Ending a pg-native client safely. libpq's addon (libpq 1.11) closes its socket watcher with an
// asynchronous uv_close but lets the client object go at once: when the garbage collector takes the
// client before the event loop has finished that close, Node aborts (`uv__finish_close: Assertion
// failed`, exit 134). Seen when test servers opened and closed LISTEN connections, and reproduced
// by opening and closing 50 engines with gc() between (db/engine/pg-end.pg.test.ts). So an ended
// client stays referenced for two turns of the event loop.

const ending = new Set<unknown>();

export function endClient(client: { end(cb?: () => void): void }): void {
  ending.add(client);
  try {
    client.end();
  } catch {
    // already closed
  } finally {
    setImmediate(() => setImmediate(() => ending.delete(client)));
  }
}
