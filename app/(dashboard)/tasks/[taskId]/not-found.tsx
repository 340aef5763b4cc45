import { RouteNotFound } from "@/components/shell/route-not-found";

export default function TaskNotFound() {
  return <RouteNotFound title="No such task" description="It may have been mistyped, or you may not have access to it." back={{ href: "/tasks", label: "Back to the board" }} />;
}
