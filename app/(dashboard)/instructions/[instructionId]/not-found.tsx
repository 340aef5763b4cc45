import { RouteNotFound } from "@/components/shell/route-not-found";

export default function InstructionNotFound() {
  return <RouteNotFound title="No such instruction" description="It may have been mistyped, or you may not have access to it." back={{ href: "/instructions", label: "All instructions" }} />;
}
