"use client";
import * as React from "react";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useMutation, useQuery, useQueryClient, type InfiniteData, type QueryKey } from "@tanstack/react-query";
import { toast } from "sonner";
import { ArrowLeft, Check, ExternalLink, FileCode2, MessageSquareWarning } from "lucide-react";
import type { OutputDetail, Page, ReviewDto, ReviewQueueItem } from "@/lib/services";
import { api, errorMessage, isApiError } from "@/lib/queries/api";
import { keys } from "@/lib/queries/keys";
import { hrefs } from "@/lib/queries/links";
import type { ShellCounts } from "@/lib/queries/hooks";
import { useLiveEvent, type ChangeEvent } from "@/lib/queries/live";
import { PageBody, PageHeader, Section } from "@/components/shell/page-header";
import { SetBreadcrumbs } from "@/components/shell/breadcrumbs";
import { Alert } from "@/components/ui/alert";
import { AgentName } from "@/components/ui/agent-swatch";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Kbd } from "@/components/ui/kbd";
import { LiveMarkdown, type RenderedMarkdown } from "@/components/markdown/live-markdown";
import { Mono } from "@/components/ui/mono";
import { RelativeTime } from "@/components/ui/relative-time";
import { StatusBadge, StatusDot, StatusIcon, statusLabel } from "@/components/ui/status";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { cn } from "@/components/ui/cn";
import { setSearchParams } from "@/components/inbox/url-state";
import { useShortcuts } from "@/components/inbox/use-shortcuts";
import { OutputDiff, defaultPair } from "./output-diff";
import { parseQueueStatus, statusQuery } from "./queue-status";
import { RequestChangesDialog } from "./request-changes-dialog";
import { useReviewEnv } from "./review-context";

type Decision = "approved" | "changes_requested";
type QueuePage = Page<ReviewQueueItem> & { total: number };

const actionLabel: Record<string, string> = { created: "created", modified: "modified", deleted: "deleted" };

/**
 * One output under review: the content (rendered on the server, passed in), a diff between any two
 * versions, files touched, the version history with its reviews, and the two decisions. Decisions
 * show at once (optimistic), move on to the next item of the queue, and roll back with the server's
 * reason if it refuses (e.g. 409 when someone else reviewed first).
 */
export function OutputReview({
  initial,
  rendered,
  comments = {},
  canReview,
  me,
}: {
  initial: OutputDetail;
  rendered: React.ReactNode;
  /** Review comments rendered by the page on the server, by review id (later ones render on demand). */
  comments?: Record<string, RenderedMarkdown>;
  canReview: boolean;
  me: string;
}) {
  const id = initial.output.id;
  const qc = useQueryClient();
  const router = useRouter();
  const sp = useSearchParams();
  const { agentColors, nextAfter } = useReviewEnv();
  const queueStatus = parseQueueStatus(sp.get("status"));
  const qs = statusQuery(queueStatus);

  const detail = useQuery({
    queryKey: keys.output(id),
    queryFn: ({ signal }) => api.get<OutputDetail>(`/api/v1/outputs/${encodeURIComponent(id)}`, undefined, signal),
    initialData: initial,
  });
  const { output, task, versions, reviews } = detail.data;
  // A new version of this task (another output id) or a review elsewhere changes this page too.
  useLiveEvent(
    React.useCallback(
      (e: ChangeEvent) => {
        if (e.taskId === task.id && (e.entityKind === "output" || e.entityKind === "review")) void qc.invalidateQueries({ queryKey: keys.output(id) });
      },
      [qc, id, task.id],
    ),
  );

  const latest = versions.reduce((a, b) => (b.version > a.version ? b : a), output);
  const [refusal, setRefusal] = React.useState<string | null>(null);
  const [dialogOpen, setDialogOpen] = React.useState(false);
  const [comment, setComment] = React.useState("");
  const [commentError, setCommentError] = React.useState<string | null>(null);

  /** Shows the decision everywhere at once; returns the rollback. */
  const applyOptimistic = (decision: Decision, text: string) => {
    const saved: [QueryKey, unknown][] = [[keys.output(id), qc.getQueryData(keys.output(id))], [keys.counts, qc.getQueryData(keys.counts)], ...qc.getQueriesData({ queryKey: ["outputs", "queue"] })];
    const now = new Date().toISOString();
    const review: ReviewDto = { id: `pending-${Date.now()}`, outputId: id, reviewer: me, decision, comment: text, messageId: null, createdAt: now };
    qc.setQueryData<OutputDetail>(keys.output(id), (d) =>
      d ? { ...d, output: { ...d.output, status: decision }, versions: d.versions.map((v) => (v.id === id ? { ...v, status: decision } : v)), reviews: [review, ...d.reviews] } : d,
    );
    for (const [key, data] of qc.getQueriesData<InfiniteData<QueuePage>>({ queryKey: ["outputs", "queue"] })) {
      if (!data?.pages || (key[2] as { status?: string } | undefined)?.status !== "pending_review") continue;
      qc.setQueryData<InfiniteData<QueuePage>>(key, {
        ...data,
        pages: data.pages.map((p) => (p.items.some((i) => i.id === id) ? { ...p, items: p.items.filter((i) => i.id !== id), total: Math.max(0, p.total - 1) } : p)),
      });
    }
    qc.setQueryData<ShellCounts>(keys.counts, (c) => (c ? { ...c, awaitingReview: Math.max(0, c.awaitingReview - 1) } : c));
    return () => saved.forEach(([k, v]) => qc.setQueryData(k, v));
  };

  const settle = () => {
    void qc.invalidateQueries({ queryKey: keys.outputs });
    void qc.invalidateQueries({ queryKey: keys.output(id) });
    void qc.invalidateQueries({ queryKey: keys.counts });
    void qc.invalidateQueries({ queryKey: keys.task(task.id) });
    void qc.invalidateQueries({ queryKey: keys.tasks });
  };

  const moveOn = (next: string | null) => router.push(next ? `${hrefs.output(next)}${qs}` : `${hrefs.outputs()}${qs}`);

  const approve = useMutation({
    mutationFn: () => api.post<{ task: { status: string } }>(`/api/v1/outputs/${encodeURIComponent(id)}/approve`, {}),
    meta: { silent: true },
    onMutate: async () => {
      setRefusal(null);
      await qc.cancelQueries({ queryKey: keys.output(id) });
      const next = nextAfter(id);
      return { next, rollback: applyOptimistic("approved", "") };
    },
    onError: (err, _v, ctx) => {
      ctx?.rollback();
      setRefusal(errorMessage(err));
      toast.error("Could not approve", { description: errorMessage(err) });
    },
    onSuccess: (res, _v, ctx) => {
      toast.success(`Approved v${output.version} of “${task.title}”`, { description: res?.task?.status === "completed" ? "The task is completed." : undefined });
      moveOn(ctx.next);
    },
    onSettled: settle,
  });

  const requestChanges = useMutation({
    mutationFn: (text: string) => api.post(`/api/v1/outputs/${encodeURIComponent(id)}/request-changes`, { comment: text }),
    meta: { silent: true },
    onMutate: async (text) => {
      setRefusal(null);
      setCommentError(null);
      await qc.cancelQueries({ queryKey: keys.output(id) });
      const next = nextAfter(id);
      return { next, rollback: applyOptimistic("changes_requested", text) };
    },
    onError: (err, _text, ctx) => {
      ctx?.rollback();
      if (isApiError(err) && err.status === 422) {
        // The comment itself was refused: back to the dialog, text kept.
        setCommentError(err.fields?.comment?.join(" ") ?? err.detail);
        setDialogOpen(true);
      } else {
        setRefusal(errorMessage(err));
      }
      toast.error("Could not request changes", { description: errorMessage(err) });
    },
    onSuccess: (_res, _text, ctx) => {
      setComment("");
      toast.success(`Changes requested on v${output.version}`, { description: `${task.assignedAgent} has your comment in its inbox; the task is back in progress.` });
      moveOn(ctx.next);
    },
    onSettled: settle,
  });

  const busy = approve.isPending || requestChanges.isPending;
  const reviewable = output.status === "pending_review";
  const canAct = canReview && reviewable && !busy;

  useShortcuts(
    {
      a: () => (canAct ? approve.mutate() : !busy && toast.info(canReview ? "Only a version awaiting review can be approved" : "Viewers cannot review")),
      r: () => (canAct ? setDialogOpen(true) : !busy && toast.info(canReview ? "Only a version awaiting review can be sent back" : "Viewers cannot review")),
    },
    !dialogOpen,
  );

  // Tabs and the compared versions live in the URL, so a diff can be linked.
  const view = sp.get("view") === "diff" ? "diff" : "rendered";
  const [defFrom, defTo] = defaultPair(versions, output.version);
  const has = (n: number) => versions.some((v) => v.version === n);
  const fromParam = Number(sp.get("from"));
  const toParam = Number(sp.get("to"));
  const from = has(fromParam) ? fromParam : defFrom;
  const to = has(toParam) ? toParam : defTo;

  const lastReview = reviews.find((r) => r.outputId === id);
  const why = !reviewable ? (
    output.status === "superseded" ? (
      <>
        v{output.version} was superseded by a newer version, so it can no longer be reviewed.{" "}
        <Link href={`${hrefs.output(latest.id)}${qs}`} className="font-medium underline underline-offset-2">
          Review v{latest.version}, the latest
        </Link>
        .
      </>
    ) : (
      <>
        {statusLabel(output.status).replace(/^./, (c) => c.toUpperCase())}
        {lastReview && (
          <>
            {" "}
            by {lastReview.reviewer} <RelativeTime date={lastReview.createdAt} />
          </>
        )}
        . Only a version awaiting review can be approved or sent back.
        {latest.id !== id && (
          <>
            {" "}
            <Link href={`${hrefs.output(latest.id)}${qs}`} className="font-medium underline underline-offset-2">
              See v{latest.version}, the latest
            </Link>
            .
          </>
        )}
      </>
    )
  ) : !canReview ? (
    "Viewers can read outputs but not review them."
  ) : null;

  const totalAdd = output.files.reduce((n, f) => n + (f.additions ?? 0), 0);
  const totalDel = output.files.reduce((n, f) => n + (f.deletions ?? 0), 0);

  return (
    <PageBody className="max-w-5xl" data-testid="output-review" data-output-id={id} data-status={output.status}>
      <SetBreadcrumbs items={[{ label: "Review", href: `${hrefs.outputs()}${qs}` }, { label: task.title, href: hrefs.task(task.id) }, { label: `v${output.version}` }]} />
      <Link href={`${hrefs.outputs()}${qs}`} className="mb-2 inline-flex items-center gap-1 text-xs text-muted-foreground hover:text-foreground lg:hidden">
        <ArrowLeft className="size-3.5" /> Queue
      </Link>
      <PageHeader
        title={
          <>
            {task.title}{" "}
            <span className="font-normal text-muted-foreground">
              · v{output.version} of {versions.length}
            </span>
          </>
        }
        meta={
          <>
            <AgentName name={task.assignedAgent} color={agentColors[task.assignedAgent]} href className="text-xs" />
            <StatusBadge status={output.status} />
            <span>
              submitted <RelativeTime date={output.createdAt} />
            </span>
            {output.stepPosition != null && (
              <Link href={`${hrefs.task(task.id)}#step-${output.stepPosition}`} className="hover:text-foreground hover:underline">
                at step {output.stepPosition}
              </Link>
            )}
            <Badge tone="outline">{output.format === "code" ? (output.language ?? "code") : output.format}</Badge>
            <Link href={hrefs.task(task.id)} className="inline-flex items-center gap-1 hover:text-foreground hover:underline" data-testid="output-task-link">
              Task {task.ref} <ExternalLink className="size-3" />
              <span className="sr-only">({statusLabel(task.status)})</span>
            </Link>
            <span className="inline-flex items-center gap-1">
              task <StatusDot status={task.status} /> {statusLabel(task.status)}
            </span>
          </>
        }
        actions={
          <>
            <Button variant="outline" size="sm" disabled={!canAct} onClick={() => setDialogOpen(true)} aria-keyshortcuts="r" aria-describedby={why ? "review-why" : undefined}>
              <MessageSquareWarning /> Request changes <Kbd>r</Kbd>
            </Button>
            <Button variant="primary" size="sm" disabled={!canAct} onClick={() => approve.mutate()} aria-keyshortcuts="a" aria-describedby={why ? "review-why" : undefined}>
              <Check /> {approve.isPending ? "Approving…" : "Approve"}{" "}
              <Kbd className="border-primary-foreground/30 bg-primary-foreground/15 text-primary-foreground">a</Kbd>
            </Button>
          </>
        }
      />

      <div className="grid gap-3">
        {refusal && (
          <Alert tone="error" role="alert" data-testid="review-refusal">
            <span>
              <span className="font-medium">The server refused: </span>
              {refusal}
            </span>
          </Alert>
        )}
        {why && (
          <Alert tone={output.status === "approved" ? "success" : output.status === "changes_requested" ? "error" : "info"} id="review-why" data-testid="review-disabled-reason">
            <span>{why}</span>
          </Alert>
        )}

        <nav aria-label="Versions" className="flex flex-wrap items-center gap-1.5 text-xs">
          <span className="text-muted-foreground">Versions</span>
          {versions.map((v) => (
            <Link
              key={v.id}
              href={`${hrefs.output(v.id)}${qs}`}
              aria-current={v.id === id ? "page" : undefined}
              className={cn(
                "inline-flex items-center gap-1.5 rounded-md border px-2 py-0.5 hover:bg-accent focus-visible:outline-2 focus-visible:outline-ring",
                v.id === id ? "border-foreground/30 bg-accent font-medium" : "text-muted-foreground",
              )}
              title={statusLabel(v.status)}
            >
              <StatusDot status={v.status} />v{v.version}
              <span className="sr-only">({statusLabel(v.status)})</span>
            </Link>
          ))}
        </nav>

        <section aria-label="Files touched" className="rounded-lg border bg-card">
          <div className="flex items-center justify-between border-b px-3 py-1.5 text-xs">
            <span className="font-medium">Files touched</span>
            {output.files.length > 0 && (
              <span className="font-mono tabular-nums">
                <span className="text-status-done">+{totalAdd}</span> <span className="text-status-failed">−{totalDel}</span>
              </span>
            )}
          </div>
          {output.files.length === 0 ? (
            <p className="px-3 py-2 text-xs text-muted-foreground">The agent listed no files for this version.</p>
          ) : (
            <ul className="divide-y text-xs" data-testid="output-files">
              {output.files.map((f) => (
                <li key={f.path} className="flex items-center gap-2 px-3 py-1.5">
                  <FileCode2 aria-hidden className="size-3.5 shrink-0 text-muted-foreground" />
                  <Mono className={cn("min-w-0 truncate", f.action === "deleted" && "line-through")}>{f.path}</Mono>
                  {f.action && (
                    <Badge tone={f.action === "created" ? "done" : f.action === "deleted" ? "failed" : "neutral"} className="shrink-0">
                      {actionLabel[f.action] ?? f.action}
                    </Badge>
                  )}
                  <span className="ml-auto shrink-0 font-mono tabular-nums">
                    {f.additions != null && <span className="text-status-done">+{f.additions}</span>} {f.deletions != null && <span className="text-status-failed">−{f.deletions}</span>}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>

        <Tabs value={view} onValueChange={(v) => setSearchParams({ view: v === "diff" ? "diff" : null }, { replace: true })}>
          <TabsList aria-label="Show the output">
            <TabsTrigger value="rendered">Rendered</TabsTrigger>
            <TabsTrigger value="diff">Diff</TabsTrigger>
          </TabsList>
          <TabsContent value="rendered" className="mt-3" data-testid="output-rendered">
            {rendered}
          </TabsContent>
          <TabsContent value="diff" className="mt-3">
            <OutputDiff
              versions={versions}
              from={from}
              to={to}
              onChange={(f, t) => setSearchParams({ view: "diff", from: f === defFrom && t === defTo ? null : String(f), to: f === defFrom && t === defTo ? null : String(t) }, { replace: true })}
            />
          </TabsContent>
        </Tabs>

        <Section title="History" id="output-history" className="mt-4">
          <ol className="grid gap-2" data-testid="output-history">
            {[...versions].reverse().map((v) => {
              const vr = reviews.filter((r) => r.outputId === v.id);
              return (
                <li key={v.id} className={cn("rounded-lg border bg-card", v.id === id && "border-foreground/25")}>
                  <div className="flex flex-wrap items-center gap-2 px-3 py-2 text-xs">
                    <Link href={`${hrefs.output(v.id)}${qs}`} className="font-mono font-medium hover:underline" aria-current={v.id === id ? "page" : undefined}>
                      v{v.version}
                    </Link>
                    <StatusBadge status={v.status} />
                    <span className="text-muted-foreground">
                      by {v.submittedBy} <RelativeTime date={v.createdAt} />
                    </span>
                    <span className="ml-auto text-muted-foreground">
                      {v.files.length} {v.files.length === 1 ? "file" : "files"}
                    </span>
                  </div>
                  {vr.length > 0 && (
                    <ul className="grid gap-2 border-t px-3 py-2">
                      {vr.map((r) => (
                        <li key={r.id} className="grid gap-1 text-xs" data-testid={`review-${r.decision}`}>
                          <span className="flex flex-wrap items-center gap-1.5">
                            <StatusIcon status={r.decision} className="size-3.5" />
                            <span className="font-medium">{r.decision === "approved" ? "Approved" : "Changes requested"}</span>
                            <span className="text-muted-foreground">
                              by {r.reviewer} <RelativeTime date={r.createdAt} />
                            </span>
                          </span>
                          {r.comment.trim() && (
                            <div className="ml-5 rounded-md border-l-2 border-border bg-muted/40 px-2.5 py-1.5">
                              <LiveMarkdown compact text={r.comment} rendered={comments[r.id]} />
                            </div>
                          )}
                        </li>
                      ))}
                    </ul>
                  )}
                </li>
              );
            })}
          </ol>
        </Section>
      </div>

      <RequestChangesDialog
        open={dialogOpen}
        onOpenChange={(o) => {
          setDialogOpen(o);
          if (!o) setCommentError(null);
        }}
        version={output.version}
        agent={task.assignedAgent}
        comment={comment}
        onCommentChange={(v) => {
          setComment(v);
          if (commentError) setCommentError(null);
        }}
        error={commentError}
        onSubmit={(text) => {
          setDialogOpen(false);
          requestChanges.mutate(text);
        }}
      />
    </PageBody>
  );
}
