"use client";
import { instructionPhases } from "@/lib/domain/vocabulary";
import * as React from "react";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { FileText } from "lucide-react";
import type { InstructionListItem, Page } from "@/lib/services";
import { useInstructionList } from "@/lib/queries/instructions";
import { hrefs } from "@/lib/queries/links";
import { StatusBadge } from "@/components/ui/status";
import { PriorityDot } from "@/components/ui/priority-dot";
import { NavRow } from "@/components/ui/nav-row";
import { ProgressBar } from "@/components/ui/progress-bar";
import { RelativeTime } from "@/components/ui/relative-time";
import { IdText } from "@/components/ui/mono";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState } from "@/components/ui/error-state";
import { ListLoadMore } from "@/components/ui/load-more";
import { Select } from "@/components/ui/select";
import { Button } from "@/components/ui/button";
import { useListNavigation } from "@/components/ui/use-list-navigation";
import { tierName } from "./tier";

const phases = instructionPhases;

export function InstructionList({ initialPage, phase }: { initialPage: Page<InstructionListItem>; phase?: string }) {
  const router = useRouter();
  const params = useSearchParams();
  const listRef = React.useRef<HTMLUListElement>(null);
  useListNavigation(listRef);
  const list = useInstructionList(phase, initialPage);

  const setPhase = (p: string) => {
    const sp = new URLSearchParams(params.toString());
    if (p) sp.set("phase", p);
    else sp.delete("phase");
    router.replace(`/instructions${sp.size ? `?${sp}` : ""}`);
  };

  return (
    <div className="grid gap-3">
      <div className="flex items-center gap-2">
        <label htmlFor="phase-filter" className="text-xs text-muted-foreground">
          Phase
        </label>
        <Select id="phase-filter" value={phase ?? ""} onChange={(e) => setPhase(e.target.value)} className="w-40">
          <option value="">All phases</option>
          {phases.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </Select>
      </div>
      {list.error && !list.items.length ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : list.items.length === 0 ? (
        <EmptyState
          icon={<FileText />}
          title={phase ? `No instructions in ${phase}` : "No instructions yet"}
          description={phase ? "Try another phase, or all of them." : "An instruction says what you need; agents get tasks from it."}
          action={
            !phase && (
              <Button asChild variant="primary" size="sm">
                <Link href={hrefs.newInstruction()}>New instruction</Link>
              </Button>
            )
          }
        />
      ) : (
        <div className="rounded-lg border bg-card">
          <ul ref={listRef} className="divide-y" data-testid="instruction-list">
            {list.items.map((i) => (
              <NavRow key={i.id} href={hrefs.instruction(i.id)} className="grid-cols-[1rem_minmax(0,1fr)_7rem_8rem_5rem] px-3">
                <span className="flex justify-center">
                  <PriorityDot priority={i.priority} />
                </span>
                <span className="min-w-0">
                  <span className="block truncate text-sm font-medium">{i.title}</span>
                  <span className="flex items-center gap-2 text-xs text-muted-foreground">
                    <IdText id={i.id} />· {tierName(i.tier)}
                  </span>
                </span>
                <span>
                  <StatusBadge status={i.phase} />
                </span>
                <span className="text-xs text-muted-foreground">
                  {i.taskCounts.total ? <ProgressBar done={i.taskCounts.completed} total={i.taskCounts.total} label ariaLabel="Tasks completed" /> : "no tasks"}
                </span>
                <RelativeTime date={i.createdAt} className="text-right text-xs text-muted-foreground" />
              </NavRow>
            ))}
          </ul>
          <ListLoadMore list={list} />
        </div>
      )}
    </div>
  );
}
