import { FileQuestion } from "lucide-react";
import { RouteNotFound } from "@/components/shell/route-not-found";
import { hrefs } from "@/lib/queries/links";

export default function OutputNotFound() {
  return (
    <RouteNotFound
      layout="pane"
      className="min-h-[50vh]"
      icon={<FileQuestion />}
      title="No such output"
      description="The link may be mistyped, or the output was removed with its task."
      back={{ href: hrefs.outputs(), label: "Back to the queue" }}
    />
  );
}
