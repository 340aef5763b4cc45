import { describe, expect, it } from "vitest";
import { renderToStaticMarkup } from "react-dom/server";
import { MessageTypeChip } from "@/components/ui/message-type-chip";
import { InboxProvider, inboxLabel, isBroadcastInbox } from "./inbox-context";
import { Recipient } from "./party";

// Broadcast channels and the later message types as the inbox shows them (issue #22).
describe("channels and reports in the inbox", () => {
  it("names the broadcast folder and its channels as such, not as agents", () => {
    expect(["broadcast", "broadcast:backend-team", "backend-developer", "hitl"].map((i) => [isBroadcastInbox(i), inboxLabel(i)])).toEqual([
      [true, "Broadcast"],
      [true, "#backend-team"],
      [false, "backend-developer"],
      [false, "People"],
    ]);
    const html = renderToStaticMarkup(
      <InboxProvider value={{ inbox: "hitl", me: { email: "a@b.c", name: "A" }, canWrite: true, agentColors: {} }}>
        <Recipient inbox="broadcast:backend-team" />
      </InboxProvider>,
    );
    expect(html).toContain("#backend-team");
    expect(html).toContain('title="Broadcast channel #backend-team"');
  });

  it("labels reports and hand-offs readably", () => {
    expect(renderToStaticMarkup(<MessageTypeChip type="daily_report" />)).toContain(">daily report<");
    expect(renderToStaticMarkup(<MessageTypeChip type="handoff" />)).toContain(">hand-off<");
    expect(renderToStaticMarkup(<MessageTypeChip type="constructor" />)).toContain(">constructor<");
  });
});
