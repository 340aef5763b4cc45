"use client";
import * as React from "react";
import dynamic from "next/dynamic";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { ArrowLeft, Check, ExternalLink, MessageSquareWarning } from "lucide-react";
import type { OutputDetail } from "@/lib/services";
import { errorMessage, isApiError } from "@/lib/queries/api";
import { keys } from "@/lib/queries/keys";
import { hrefs } from "@/lib/queries/links";
import { useApproveOutput, useOutput, useRequestChanges } from "@/lib/queries/outputs";
import { useLiveEvent, type ChangeEvent } from "@/lib/queries/live";
import { PageBody, PageHeader } from "@/components/shell/page-header";
import { SetBreadcrumbs } from "@/components/shell/breadcrumbs";
import { Alert } from "@/components/ui/alert";
import { AgentName } from "@/components/ui/agent-swatch";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Kbd } from "@/components/ui/kbd";
import type { RenderedMarkdown } from "@/components/markdown/live-markdown";
import { RelativeTime } from "@/components/ui/relative-time";
import { StatusBadge, StatusDot, statusLabel } from "@/components/ui/status";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { useOpenedOnce } from "@/components/ui/use-opened-once";
import { setSearchParams } from "@/components/inbox/url-state";
import { useShortcuts } from "@/components/inbox/use-shortcuts";
import { OutputDiff, defaultPair } from "./output-diff";
import { parseQueueStatus, statusQuery } from "./queue-status";
import { VersionNav } from "./version-nav";
import { FilesTouched } from "./files-touched";
import { CompletionChecklist } from "./completion-checklist";
import { OutputHistory } from "./output-history";
import { NotReviewableReason } from "./not-reviewable-reason";
import { useReviewEnv } from "./review-context";

// The Request changes dialog loads when first opened (its comment is kept here, across openings).
const RequestChangesDialog = dynamic(() => import("./request-changes-dialog").then((m) => m.RequestChangesDialog), { ssr: false });

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

  const detail = useOutput(id, initial);
  const { output, task, versions, reviews, manifest } = detail.data ?? initial;
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
  const dialogMounted = useOpenedOnce(dialogOpen);
  const [comment, setComment] = React.useState("");
  const [commentError, setCommentError] = React.useState<string | null>(null);

  const moveOn = (next: string | null) => router.push(next ? `${hrefs.output(next)}${qs}` : `${hrefs.outputs()}${qs}`);

  const approve = useApproveOutput(id, task.id, me, {
    onStart: () => {
      setRefusal(null);
      return nextAfter(id);
    },
    onError: (err) => {
      setRefusal(errorMessage(err));
      toast.error("Could not approve", { description: errorMessage(err) });
    },
    onSuccess: (res, _v, next) => {
      toast.success(`Approved v${output.version} of “${task.title}”`, { description: res?.task?.status === "completed" ? "The task is completed." : undefined });
      moveOn(next);
    },
  });

  const requestChanges = useRequestChanges(id, task.id, me, {
    onStart: () => {
      setRefusal(null);
      setCommentError(null);
      return nextAfter(id);
    },
    onError: (err) => {
      if (isApiError(err) && err.status === 422) {
        // The comment itself was refused: back to the dialog, text kept.
        setCommentError(err.fields?.comment?.join(" ") ?? err.detail);
        setDialogOpen(true);
      } else {
        setRefusal(errorMessage(err));
      }
      toast.error("Could not request changes", { description: errorMessage(err) });
    },
    onSuccess: (_res, _text, next) => {
      setComment("");
      toast.success(`Changes requested on v${output.version}`, { description: `${task.assignedAgent} has your comment in its inbox; the task is back in progress.` });
      moveOn(next);
    },
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

  const why = reviewable ? canReview ? null : "Viewers can read outputs but not review them." : <NotReviewableReason output={output} reviews={reviews} latest={latest} qs={qs} />;

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
              <Check /> {approve.isPending ? "Approving…" : "Approve"} <Kbd className="border-primary-foreground/30 bg-primary-foreground/15 text-primary-foreground">a</Kbd>
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

        <VersionNav versions={versions} current={id} qs={qs} />

        <FilesTouched files={output.files} />

        {manifest && <CompletionChecklist manifest={manifest} />}

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

        <OutputHistory versions={versions} reviews={reviews} current={id} qs={qs} comments={comments} />
      </div>

      {dialogMounted && (
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
      )}
    </PageBody>
  );
}
