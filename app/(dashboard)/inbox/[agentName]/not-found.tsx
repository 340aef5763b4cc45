import { MessageSquareOff } from "lucide-react";
import { RouteNotFound } from "@/components/shell/route-not-found";

export default function ThreadNotFound() {
  return (
    <RouteNotFound layout="pane" icon={<MessageSquareOff />} title="No such thread" description="It may have been mistyped, or it belongs to an inbox you cannot read. Pick a thread from the list." />
  );
}
