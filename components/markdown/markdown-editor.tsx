"use client";
import * as React from "react";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { Textarea } from "@/components/ui/textarea";
import { OnDemandMarkdown } from "./live-markdown";

/** A markdown textarea with a Write / Preview switch. The preview is the same sanitised renderer, loaded when first shown. */
export function MarkdownEditor({
  id,
  value,
  onChange,
  rows = 10,
  placeholder,
  invalid,
  describedBy,
  label,
}: {
  id: string;
  value: string;
  onChange: (v: string) => void;
  rows?: number;
  placeholder?: string;
  invalid?: boolean;
  describedBy?: string;
  label: string;
}) {
  const [tab, setTab] = React.useState("write");
  return (
    <Tabs value={tab} onValueChange={setTab}>
      <TabsList aria-label={`${label}: write or preview`}>
        <TabsTrigger value="write">Write</TabsTrigger>
        <TabsTrigger value="preview">Preview</TabsTrigger>
      </TabsList>
      <TabsContent value="write" forceMount hidden={tab !== "write"}>
        <Textarea
          id={id}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          rows={rows}
          placeholder={placeholder}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
          className="font-mono text-[13px]"
        />
      </TabsContent>
      <TabsContent value="preview">
        <div className="min-h-24 rounded-md border px-3 py-2">{value.trim() ? <OnDemandMarkdown text={value} /> : <p className="text-sm text-muted-foreground">Nothing to preview.</p>}</div>
      </TabsContent>
    </Tabs>
  );
}
