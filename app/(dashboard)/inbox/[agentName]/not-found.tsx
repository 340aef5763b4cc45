import { MessageSquareOff } from "lucide-react";
import { EmptyState } from "@/components/ui/empty-state";

export default function ThreadNotFound() {
  return (
    <div className="flex h-full items-center justify-center p-6">
      <EmptyState
        icon={<MessageSquareOff />}
        title="No such thread"
        description="It may have been mistyped, or it belongs to an inbox you cannot read. Pick a thread from the list."
        className="w-full max-w-md"
      />
    </div>
  );
}
