/**
 * Every /api/v1 endpoint the browser calls, in one table: method, path template (as the OpenAPI
 * document spells it) and the response type, taken from the service layer's DTO types (the same
 * functions the route handlers return). `endpoints.test.ts` checks each entry against
 * `v1OpenApiDocument()`, so a path or method the API does not serve fails the unit tests instead
 * of the browser. Components never build an API URL: they call the hooks of `lib/queries`.
 */
import type {
  AgentListItem,
  AgentSummary,
  EventDto,
  InstructionDetail,
  InstructionDto,
  InstructionListItem,
  MessageDto,
  OutputDetail,
  Overview,
  Page,
  PublicAgent,
  ReviewQueueItem,
  SearchAllResult,
  SearchHit,
  TaskCardData,
  TaskDetail,
  TaskDto,
  TaskListItem,
  TokenDto,
  userDto,
} from "@/lib/services";
import type { RunDto, RunLogPage, agentUsage, usageOverview } from "@/lib/services/runs";
import type { RunnerStatus } from "@/lib/runners/actions";
import type { NewWebhookDto, WebhookBody, WebhookDeliveryDto, WebhookDto, WebhookList, WebhookTestQueued } from "./webhooks";
import { apiFetch, type Query } from "./api";

export const API_BASE = "/api/v1";

export type Method = "get" | "post" | "patch" | "delete";

/** `"/tasks/{taskId}/runs"` → `"taskId"`. */
export type ParamNames<P extends string> = P extends `${string}{${infer N}}${infer Rest}` ? N | ParamNames<Rest> : never;

declare const phantom: unique symbol;
/** Carries a type and nothing else at run time. */
export type Phantom<T> = { readonly [phantom]?: T };
const as = <T>(): Phantom<T> => ({});

export interface Endpoint<M extends Method = Method, P extends string = string, Res = unknown, Body = unknown, Q extends Query = Query> {
  readonly method: M;
  readonly path: P;
  readonly res: Phantom<Res>;
  readonly body: Phantom<Body>;
  readonly query: Phantom<Q>;
}

function endpoint<M extends Method, P extends string, Res, Body = never, Q extends Query = Query>(
  method: M,
  path: P,
  _res: Phantom<Res>,
  _body?: Phantom<Body>,
  _query?: Phantom<Q>,
): Endpoint<M, P, Res, Body, Q> {
  return { method, path, res: {}, body: {}, query: {} };
}

/* ---------- shapes that are not a single service DTO ---------- */

export interface ShellCounts {
  awaitingReview: number;
  unread: number;
}
export type BoardStatus = "pending" | "in_progress" | "blocked" | "in_review" | "completed";
export interface BoardColumnData {
  status: BoardStatus;
  count: number;
  /** Cards (the page sends taskCard's fields; the live refetch whole tasks, which are cards too). */
  items: TaskCardData[];
  nextCursor: string | null;
}
export interface InboxEntry {
  inbox: string;
  unread: number;
}
/**
 * A thread as GET /threads/{id} sends it: on each message, where the caller's reply to it would land
 * and with which type (the server's rule, lib/services/messages). `pending` marks an optimistic copy.
 */
export interface ThreadData {
  threadId: string;
  subject: string;
  messages: (MessageDto & { replyTo: string; replyType: string; pending?: boolean })[];
}
export type ReviewQueuePage = Page<ReviewQueueItem> & { total: number };
export type InboxPage = Page<MessageDto> & { unreadCount?: number };
export interface TaskRuns {
  items: RunDto[];
  runner: RunnerStatus;
}
/** GET /usage: every agent's tokens and cost over the last `days` days (usageOverview). */
export type UsageOverview = ReturnType<typeof usageOverview> & { days: number };
/** GET /agents/{name}/usage: the agent's totals since its first run, and its last `days` days (agentUsage). */
export type AgentUsage = ReturnType<typeof agentUsage> & { agent: string; days: number };
export type MarkAction = "read" | "unread" | "archive" | "unarchive";
export interface AuditPage {
  items: EventDto[];
  nextBeforeId?: number | null;
  nextAfterId?: number | null;
}

/** A person's account as GET /users lists it (userDto); `lastSeenAt` (last sign-in) when the server sends it. */
export type UserDto = ReturnType<typeof userDto> & { lastSeenAt?: string | null };
export type NewTokenDto = TokenDto & { token: string };
export type CreateTokenBody = { agent: string; label?: string } | { userId: string; label?: string };

type Paged = { cursor?: string | null; limit?: number };
export type TaskListQuery = Paged & { status?: string; agent?: string; instructionId?: string; priority?: string };

/** The table. Keys are what the hooks call; values are checked against the OpenAPI document. */
export const endpoints = {
  counts: endpoint("get", "/counts", as<ShellCounts>()),
  overview: endpoint("get", "/overview", as<Overview>()),
  agents: endpoint("get", "/agents", as<{ items: (AgentListItem | PublicAgent)[] }>()),
  /** The same list in short (`view=summary`): what the agents page and the palette show. */
  agentSummaries: endpoint("get", "/agents", as<{ items: (AgentSummary | PublicAgent)[] }>(), undefined, as<{ view: "summary" }>()),
  agent: endpoint("get", "/agents/{agentName}", as<AgentListItem | PublicAgent>()),
  events: endpoint("get", "/events", as<AuditPage>(), undefined, as<{ instructionId?: string; beforeId?: number; afterId?: number; limit?: number }>()),

  tasks: endpoint("get", "/tasks", as<Page<TaskListItem>>(), undefined, as<TaskListQuery>()),
  createTask: endpoint("post", "/tasks", as<TaskDto>(), as<Record<string, unknown>>()),
  assignWork: endpoint("post", "/assignments", as<{ task: TaskDto; instructionId: string; instructionCreated: boolean }>(), as<Record<string, unknown>>()),
  board: endpoint("get", "/tasks/board", as<{ columns: BoardColumnData[] }>(), undefined, as<{ agent?: string; instructionId?: string; priority?: string; perColumn?: number }>()),
  task: endpoint("get", "/tasks/{taskId}", as<TaskDetail>()),
  taskEvents: endpoint("get", "/tasks/{taskId}/events", as<EventDto[] | { items: EventDto[] }>(), undefined, as<{ limit?: number }>()),
  cancelTask: endpoint("post", "/tasks/{taskId}/cancel", as<TaskDto>(), as<{ reason?: string }>()),
  unblockTask: endpoint("post", "/tasks/{taskId}/unblock", as<TaskDto>(), as<{ note?: string }>()),
  reassignTask: endpoint("post", "/tasks/{taskId}/reassign", as<TaskDto>(), as<{ agent: string }>()),
  moveTask: endpoint("post", "/tasks/{taskId}/move", as<TaskDto>(), as<{ to: string; reason?: string }>()),

  taskRuns: endpoint("get", "/tasks/{taskId}/runs", as<TaskRuns>()),
  runNow: endpoint("post", "/tasks/{taskId}/runs", as<RunDto>(), as<Record<string, never>>()),
  cancelRun: endpoint("post", "/runs/{runId}/cancel", as<RunDto>(), as<Record<string, never>>()),
  retryRun: endpoint("post", "/runs/{runId}/retry", as<RunDto>(), as<Record<string, never>>()),
  runLog: endpoint("get", "/runs/{runId}/log", as<RunLogPage>(), undefined, as<{ after?: number; before?: number; limit?: number }>()),
  agentRuns: endpoint("get", "/agents/{agentName}/runs", as<{ items: RunDto[] }>(), undefined, as<{ limit?: number }>()),

  usage: endpoint("get", "/usage", as<UsageOverview>(), undefined, as<{ days?: number }>()),
  agentUsage: endpoint("get", "/agents/{agentName}/usage", as<AgentUsage>(), undefined, as<{ days?: number }>()),

  instructions: endpoint("get", "/instructions", as<Page<InstructionListItem>>(), undefined, as<Paged & { phase?: string }>()),
  createInstruction: endpoint("post", "/instructions", as<InstructionDto>(), as<{ title: string; body: string; tier: number; priority: string }>()),
  instruction: endpoint("get", "/instructions/{instructionId}", as<InstructionDetail>()),

  reviewQueue: endpoint("get", "/outputs", as<ReviewQueuePage>(), undefined, as<Paged & { status?: string }>()),
  output: endpoint("get", "/outputs/{outputId}", as<OutputDetail>()),
  approveOutput: endpoint("post", "/outputs/{outputId}/approve", as<{ task: { status: string } }>(), as<Record<string, never>>()),
  requestChanges: endpoint("post", "/outputs/{outputId}/request-changes", as<unknown>(), as<{ comment: string }>()),

  peopleInbox: endpoint("get", "/inbox", as<InboxPage>(), undefined, as<Paged & { unread?: boolean; archived?: boolean; type?: string }>()),
  agentInbox: endpoint("get", "/inbox/{agentName}", as<InboxPage>(), undefined, as<Paged & { unread?: boolean; archived?: boolean; type?: string }>()),
  inboxes: endpoint("get", "/inboxes", as<{ items: InboxEntry[] }>()),
  sendMessage: endpoint("post", "/messages", as<MessageDto>(), as<Record<string, unknown>>()),
  reply: endpoint("post", "/messages/{messageId}/reply", as<MessageDto>(), as<{ body: string }>()),
  read: endpoint("post", "/messages/{messageId}/read", as<MessageDto>(), as<Record<string, never>>()),
  unread: endpoint("post", "/messages/{messageId}/unread", as<MessageDto>(), as<Record<string, never>>()),
  archive: endpoint("post", "/messages/{messageId}/archive", as<MessageDto>(), as<Record<string, never>>()),
  unarchive: endpoint("post", "/messages/{messageId}/unarchive", as<MessageDto>(), as<Record<string, never>>()),
  thread: endpoint("get", "/threads/{threadId}", as<ThreadData>()),
  message: endpoint("get", "/messages/{messageId}", as<MessageDto>()),
  tokens: endpoint("get", "/tokens", as<{ items: TokenDto[] }>(), undefined, as<{ agent?: string }>()),
  createToken: endpoint("post", "/tokens", as<NewTokenDto>(), as<CreateTokenBody>()),
  revokeToken: endpoint("post", "/tokens/{tokenId}/revoke", as<TokenDto>(), as<Record<string, never>>()),
  users: endpoint("get", "/users", as<{ items: UserDto[] }>()),
  createUser: endpoint("post", "/users", as<UserDto>(), as<{ email: string; name: string; role: UserDto["role"]; password: string }>()),
  changeUserRole: endpoint("patch", "/users/{userId}", as<UserDto>(), as<{ role: UserDto["role"] }>()),
  deleteUser: endpoint("delete", "/users/{userId}", as<UserDto>()),
  setUserPassword: endpoint("post", "/users/{userId}/password", as<UserDto & { sessionsEnded: number }>(), as<{ password: string }>()),
  webhooks: endpoint("get", "/webhooks", as<WebhookList>()),
  createWebhook: endpoint("post", "/webhooks", as<NewWebhookDto>(), as<WebhookBody>()),
  updateWebhook: endpoint("patch", "/webhooks/{webhookId}", as<WebhookDto>(), as<Partial<WebhookBody>>()),
  deleteWebhook: endpoint("delete", "/webhooks/{webhookId}", as<WebhookDto>()),
  rotateWebhookSecret: endpoint("post", "/webhooks/{webhookId}/rotate-secret", as<NewWebhookDto>(), as<Record<string, never>>()),
  testWebhook: endpoint("post", "/webhooks/{webhookId}/test", as<WebhookTestQueued>(), as<Record<string, never>>()),
  webhookDeliveries: endpoint("get", "/webhooks/{webhookId}/deliveries", as<{ items: WebhookDeliveryDto[] }>(), undefined, as<{ limit?: number }>()),

  search: endpoint("get", "/search", as<{ items: SearchHit[]; query: string | null }>(), undefined, as<{ q: string; inbox?: string; limit?: number }>()),
  searchAll: endpoint(
    "get",
    "/search/all",
    as<SearchAllResult>(),
    undefined,
    as<{ q: string; kinds?: string; agent?: string; status?: string; from?: string; to?: string; cursor?: string; limit?: number }>(),
  ),
} as const;

type ResOf<E> = E extends Endpoint<Method, string, infer R> ? R : never;
type BodyOf<E> = E extends Endpoint<Method, string, unknown, infer B> ? B : never;
type QueryOf<E> = E extends Endpoint<Method, string, unknown, unknown, infer Q> ? Q : never;
type PathOf<E> = E extends Endpoint<Method, infer P> ? P : never;

export type CallArgs<E> = ([ParamNames<PathOf<E>>] extends [never] ? { params?: undefined } : { params: Record<ParamNames<PathOf<E>>, string> }) &
  ([BodyOf<E>] extends [never] ? { body?: undefined } : { body: BodyOf<E> }) & { query?: QueryOf<E>; signal?: AbortSignal };

/** `"/tasks/{taskId}"` + `{taskId: "t 1"}` → `"/api/v1/tasks/t%201"`. */
export function urlOf(path: string, params?: Record<string, string>): string {
  return (
    API_BASE +
    path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
      const v = params?.[name];
      if (v === undefined) throw new Error(`Missing path parameter ${name} for ${path}`);
      return encodeURIComponent(v);
    })
  );
}

/** The one way to call /api/v1 from the browser: typed by the endpoint table. */
export function call<E extends Endpoint>(ep: E, ...[args]: [ParamNames<PathOf<E>>] extends [never] ? [CallArgs<E>?] : [CallArgs<E>]): Promise<ResOf<E>> {
  const a = (args ?? {}) as { params?: Record<string, string>; body?: unknown; query?: Query; signal?: AbortSignal };
  const method = ep.method.toUpperCase() as "GET" | "POST" | "PATCH" | "DELETE";
  return apiFetch<ResOf<E>>(urlOf(ep.path, a.params), {
    method,
    query: a.query,
    signal: a.signal,
    body: method === "GET" ? undefined : (a.body ?? {}),
  });
}
