/**
 * Query keys, one factory for the whole app. Keys are nested so a prefix invalidates a family:
 * `keys.tasks` covers every task list and board; `keys.inboxes` every inbox page; `keys.outputs`
 * every review-queue page. Add your own keys under these prefixes (e.g. `[...keys.inbox(name), filters]`)
 * so that the live-update hook reaches them.
 */
export interface BoardFilters {
  agent?: string;
  instructionId?: string;
  priority?: string;
}

export interface TaskListFilters extends BoardFilters {
  status?: string;
}

export const keys = {
  /** Sidebar badges: `{awaitingReview, unread}` from GET /api/v1/counts. */
  counts: ["counts"] as const,
  overview: ["overview"] as const,

  tasks: ["tasks"] as const,
  board: (filters: BoardFilters = {}) => ["tasks", "board", normal(filters)] as const,
  boardColumn: (status: string, filters: BoardFilters = {}) => ["tasks", "column", status, normal(filters)] as const,
  taskList: (filters: TaskListFilters = {}) => ["tasks", "list", normal(filters)] as const,
  /** The new-task form's dependency choices: the tasks of one instruction. */
  dependencyChoices: (instructionId: string) => ["tasks", "list", { instructionId }, "deps"] as const,
  /** The command palette's first hundred tasks / instructions. */
  paletteTasks: ["tasks", "list", {}, "palette"] as const,
  paletteInstructions: ["instructions", "list", {}, "palette"] as const,
  task: (taskId: string) => ["task", taskId] as const,
  allTaskDetails: ["task"] as const,

  instructions: ["instructions"] as const,
  instructionList: (filters: { phase?: string } = {}) => ["instructions", "list", normal(filters)] as const,
  instruction: (instructionId: string) => ["instruction", instructionId] as const,
  allInstructionDetails: ["instruction"] as const,

  /** Timelines and the activity feed: `keys.events({taskId})`, `keys.events({instructionId})`, `keys.events({})`. */
  allEvents: ["events"] as const,
  events: (filters: { taskId?: string; instructionId?: string } = {}) => ["events", normal(filters)] as const,

  inboxes: ["inbox"] as const,
  inbox: (name: string) => ["inbox", name] as const,
  /** One inbox's thread list with its filters; under `keys.inbox(name)` so live events reach it. */
  inboxList: (name: string, f: { unread: boolean; archived: boolean; type?: string }) => ["inbox", name, "list", { unread: f.unread, archived: f.archived, type: f.type ?? null }] as const,
  allThreads: ["thread"] as const,
  thread: (threadId: string) => ["thread", threadId] as const,
  message: (messageId: string) => ["message", messageId] as const,

  outputs: ["outputs"] as const,
  /** Every page of the review queue, whatever its status filter. */
  reviewQueues: ["outputs", "queue"] as const,
  reviewQueue: (status: string) => ["outputs", "queue", { status }] as const,
  allOutputDetails: ["output"] as const,
  output: (outputId: string) => ["output", outputId] as const,

  agents: ["agents"] as const,
  /** GET /agents?view=summary: the agents page and the command palette. */
  agentSummaries: ["agents", "summary"] as const,
  allAgentDetails: ["agent"] as const,
  agent: (name: string) => ["agent", name] as const,

  /** An agent's runs (GET /agents/{name}/runs), under the runs prefix; every run event refetches them. */
  allAgentRuns: ["runs", "agent"] as const,
  agentRuns: (name: string) => ["runs", "agent", name] as const,

  /** Tokens and cost (GET /usage, GET /agents/{name}/usage): refetched when a run finishes. */
  usage: ["usage"] as const,
  usageOverview: (days: number) => ["usage", "overview", { days }] as const,
  agentUsage: (name: string, days: number) => ["usage", "agent", name, { days }] as const,

  /** Settings (admins): API tokens (all, or one agent's) and people's accounts. */
  tokens: ["tokens"] as const,
  tokenList: (filters: { agent?: string } = {}) => ["tokens", "list", normal(filters)] as const,
  users: ["users"] as const,
  /** Settings (admins): webhooks, and one webhook's delivery log (under the same prefix). */
  webhooks: ["webhooks"] as const,
  webhookDeliveries: (webhookId: string) => ["webhooks", webhookId, "deliveries"] as const,

  search: (q: string) => ["search", q] as const,
  /** Message search within one inbox (`null`: all inboxes). */
  inboxSearch: (q: string, inbox: string | null) => ["search", q, { inbox }] as const,
  /** Search everywhere (the search page, the palette): every kind, with its filters. */
  searchAll: (filters: { q: string; kinds?: string; agent?: string; status?: string; from?: string; to?: string; limit?: number }) => ["search", "all", normal(filters)] as const,
};

/** Drops empty filter values and sorts keys so `{a:1,b:undefined}` and `{a:1}` share a cache entry. */
function normal<T extends object>(filters: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(filters).sort()) {
    const v = (filters as Record<string, unknown>)[k];
    if (v !== undefined && v !== null && v !== "") out[k] = v;
  }
  return out as Partial<T>;
}
