"use client";
import * as React from "react";
import type { InstructionDetail } from "@/lib/services";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { LiveMarkdown } from "@/components/markdown/live-markdown";
import { Mono } from "@/components/ui/mono";

const titles: Record<string, string> = { "task_plan.md": "Plan", "findings.md": "Findings", "progress.md": "Progress" };
const titleOf = (path: string) => (Object.hasOwn(titles, path) ? titles[path] : path.replace(/\.md$/i, "").replace(/[_-]+/g, " "));

/**
 * The notes a session folder keeps beside its instruction (task_plan.md, findings.md, progress.md):
 * one tab each, rendered as markdown. They are the agents' own documents: read here, written by them
 * (the folder bridge gives them back unchanged on export).
 */
export function SessionNotes({ notes }: { notes: InstructionDetail["notes"] }) {
  const [tab, setTab] = React.useState(notes[0]?.path ?? "");
  if (notes.length === 0) return null;
  return (
    <Card data-testid="session-notes">
      <CardHeader>
        <CardTitle>Session notes</CardTitle>
        <span className="text-xs text-muted-foreground">{notes.length === 1 ? "1 note" : `${notes.length} notes`}</span>
      </CardHeader>
      <Tabs value={tab} onValueChange={setTab} className="px-4 py-3">
        <TabsList aria-label="Session notes">
          {notes.map((n) => (
            <TabsTrigger key={n.path} value={n.path}>
              {titleOf(n.path)}
            </TabsTrigger>
          ))}
        </TabsList>
        {notes.map((n) => (
          <TabsContent key={n.path} value={n.path} className="mt-3 grid gap-2">
            <Mono className="text-xs text-muted-foreground">{n.path}</Mono>
            {n.text.trim() ? <LiveMarkdown text={n.text} /> : <p className="text-xs text-muted-foreground">Empty.</p>}
          </TabsContent>
        ))}
      </Tabs>
    </Card>
  );
}
