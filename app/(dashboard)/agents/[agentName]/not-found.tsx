import { RouteNotFound } from "@/components/shell/route-not-found";

export default function AgentNotFound() {
  return <RouteNotFound title="No such agent" description="Agents come from the definition files in agents/; this name is not among them." back={{ href: "/agents", label: "All agents" }} />;
}
