import { PEOPLE_INBOX } from "@/lib/domain/vocabulary";

/** Where things live in the app, in one place (pages link with these, so routes can move). */
export const hrefs = {
  overview: () => "/",
  instructions: () => "/instructions",
  newInstruction: () => "/instructions/new",
  instruction: (id: string) => `/instructions/${encodeURIComponent(id)}`,
  tasks: (q?: Record<string, string | undefined>) => {
    const sp = new URLSearchParams();
    for (const [k, v] of Object.entries(q ?? {})) if (v) sp.set(k, v);
    const s = sp.toString();
    return s ? `/tasks?${s}` : "/tasks";
  },
  newTask: (instructionId?: string) => (instructionId ? `/tasks?new=1&instructionId=${encodeURIComponent(instructionId)}` : "/tasks?new=1"),
  task: (id: string) => `/tasks/${encodeURIComponent(id)}`,
  agents: () => "/agents",
  agent: (name: string) => `/agents/${encodeURIComponent(name)}`,
  outputs: () => "/outputs",
  output: (id: string) => `/outputs/${encodeURIComponent(id)}`,
  inbox: (name: string = PEOPLE_INBOX) => `/inbox/${encodeURIComponent(name)}`,
  thread: (inbox: string, threadId: string) => `/inbox/${encodeURIComponent(inbox)}/${encodeURIComponent(threadId)}`,
};

export { PEOPLE_INBOX };
