"use client";
import * as React from "react";
import { Send } from "lucide-react";
import { OnDemandMarkdown } from "@/components/markdown/live-markdown";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { Textarea } from "@/components/ui/textarea";
import { Button } from "@/components/ui/button";
import { Kbd } from "@/components/ui/kbd";

export interface ReplyBoxHandle {
  focus: () => void;
}

/**
 * The reply composer: markdown with a Preview tab. Sending clears it at once (the reply shows in
 * the thread optimistically); if the server refuses, the text comes back via `restore`.
 */
export function ReplyBox({
  to,
  disabled,
  disabledReason,
  onSend,
  ref,
}: {
  to: React.ReactNode;
  disabled?: boolean;
  disabledReason?: string;
  onSend: (body: string, restore: () => void) => void;
  ref?: React.Ref<ReplyBoxHandle>;
}) {
  const [body, setBody] = React.useState("");
  const [tab, setTab] = React.useState("write");
  const area = React.useRef<HTMLTextAreaElement>(null);
  const [error, setError] = React.useState<string | null>(null);

  React.useImperativeHandle(ref, () => ({
    focus: () => {
      setTab("write");
      // The textarea mounts when the Write tab shows.
      requestAnimationFrame(() => area.current?.focus());
    },
  }));

  const send = () => {
    if (disabled) return;
    const text = body;
    if (!text.trim()) {
      setError("Write something first.");
      setTab("write");
      area.current?.focus();
      return;
    }
    setError(null);
    setBody("");
    setTab("write");
    onSend(text, () => setBody((now) => (now.trim() ? now : text)));
  };

  return (
    <form
      aria-label="Reply"
      className="grid gap-2 rounded-lg border bg-card p-2"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <Tabs value={tab} onValueChange={setTab}>
        <div className="flex items-center justify-between gap-2">
          <TabsList aria-label="Reply editor">
            <TabsTrigger value="write">Write</TabsTrigger>
            <TabsTrigger value="preview">Preview</TabsTrigger>
          </TabsList>
          <span className="min-w-0 truncate text-xs text-muted-foreground">{to}</span>
        </div>
        <TabsContent value="write" className="mt-2">
          <Textarea
            ref={area}
            id="reply-body"
            data-testid="reply-box"
            aria-label="Reply (markdown)"
            aria-invalid={!!error}
            aria-describedby={error ? "reply-error" : "reply-hint"}
            rows={4}
            value={body}
            disabled={disabled}
            placeholder={disabled ? disabledReason : "Write a reply… (markdown)"}
            onChange={(e) => {
              setBody(e.target.value);
              if (error) setError(null);
            }}
            onKeyDown={(e) => {
              if (e.key === "Enter" && (e.metaKey || e.ctrlKey)) {
                e.preventDefault();
                send();
              }
              if (e.key === "Escape") area.current?.blur();
            }}
            className="resize-y"
          />
        </TabsContent>
        <TabsContent value="preview" className="mt-2 min-h-24 rounded-md border px-3 py-2">
          {body.trim() ? <OnDemandMarkdown text={body} /> : <p className="text-xs text-muted-foreground">Nothing to preview yet.</p>}
        </TabsContent>
      </Tabs>
      <div className="flex items-center justify-between gap-2">
        {error ? (
          <p id="reply-error" role="alert" className="text-xs text-status-failed">
            {error}
          </p>
        ) : (
          <p id="reply-hint" className="text-xs text-muted-foreground">
            {disabled ? (
              disabledReason
            ) : (
              <>
                Markdown. <Kbd>Ctrl</Kbd> <Kbd>Enter</Kbd> sends, <Kbd>r</Kbd> comes back here.
              </>
            )}
          </p>
        )}
        <Button type="submit" variant="primary" size="sm" disabled={disabled}>
          <Send /> Send reply
        </Button>
      </div>
    </form>
  );
}
