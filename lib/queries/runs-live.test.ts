import { afterEach, describe, expect, it, vi } from "vitest";
import { QueryClient, QueryObserver } from "@tanstack/react-query";
import type { RunDto } from "@/lib/services/runs";
import { invalidateLive, type ChangeEvent } from "./live";
import { runKeys, runsLiveListener } from "./runs";

// The task page's runs panel, without React: an observer of the runs query (what useTaskRuns
// mounts) and the listener useRunsLive subscribes to the live stream.

type Runs = { items: Pick<RunDto, "id" | "status">[] };
const TASK = "tsk_1";
const RUN = "run_1";

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const runEvent = (verb: string, id = 10): ChangeEvent => ({
  id,
  verb,
  entityKind: "run",
  entityId: RUN,
  taskId: TASK,
  instructionId: "inst_1",
  actor: { kind: "system", id: "run-supervisor" },
});

/** The server's answers, one per fetch, each released when the test says (answer(i, status)). */
function server() {
  const answers: ReturnType<typeof deferred<Runs>>[] = [];
  const queryFn = vi.fn(() => {
    const d = deferred<Runs>();
    answers.push(d);
    return d.promise;
  });
  const answer = (i: number, status: RunDto["status"]) => answers[i].resolve({ items: [{ id: RUN, status }] });
  return { queryFn, answer };
}

const clients: QueryClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.clear();
});

function mount(queryFn: () => Promise<Runs>) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false } } });
  clients.push(client);
  const observer = new QueryObserver(client, { queryKey: runKeys.task(TASK), queryFn, staleTime: 5_000 });
  const unsubscribe = observer.subscribe(() => {});
  const status = () => client.getQueryData<Runs>(runKeys.task(TASK))?.items[0]?.status;
  return { client, observer, unsubscribe, status };
}

describe("the runs panel follows a run's end (useRunsLive)", () => {
  it("run.finished during the panel's first fetch of the runs: the answer read before the end is not the last word", async () => {
    const { queryFn, answer } = server();
    const { client, status } = mount(queryFn);
    expect(queryFn).toHaveBeenCalledTimes(1); // the first fetch is on its way

    // The run ends, and its run.finished arrives before that first answer has been read.
    runsLiveListener(client, TASK, () => {})(runEvent("run.finished"));
    answer(0, "running"); // the server read the runs before the run ended

    await vi.waitFor(() => expect(queryFn).toHaveBeenCalledTimes(2));
    answer(1, "succeeded");
    await vi.waitFor(() => expect(status()).toBe("succeeded"));
  });

  it("run.finished during a later refetch: the refetch started before the end is replaced", async () => {
    const { queryFn, answer } = server();
    const { client, status } = mount(queryFn);
    answer(0, "running");
    await vi.waitFor(() => expect(status()).toBe("running"));

    const listener = runsLiveListener(client, TASK, () => {});
    listener(runEvent("run.started", 9));
    await vi.waitFor(() => expect(queryFn).toHaveBeenCalledTimes(2));
    listener(runEvent("run.finished"));
    await vi.waitFor(() => expect(queryFn).toHaveBeenCalledTimes(3));
    answer(2, "succeeded");
    answer(1, "running"); // the older answer comes in last, and is dropped
    await vi.waitFor(() => expect(status()).toBe("succeeded"));
    await new Promise((r) => setTimeout(r, 20));
    expect(status()).toBe("succeeded");
  });

  it("one refetch per event when no first fetch is in flight; other tasks' runs and log flushes fetch nothing", async () => {
    const { queryFn, answer } = server();
    const { client, status } = mount(queryFn);
    answer(0, "running");
    await vi.waitFor(() => expect(status()).toBe("running"));

    const outputs: string[] = [];
    const listener = runsLiveListener(client, TASK, (id) => outputs.push(id));
    listener({ ...runEvent("run.finished"), taskId: "tsk_other" });
    listener(runEvent("run.output"));
    await new Promise((r) => setTimeout(r, 20));
    expect(queryFn).toHaveBeenCalledTimes(1);
    expect(outputs).toEqual([RUN]); // the followed log hears of the flush

    const done = invalidateLive(client, runKeys.task(TASK));
    answer(1, "succeeded");
    await done;
    expect(status()).toBe("succeeded");
    expect(queryFn).toHaveBeenCalledTimes(2);
  });
});
