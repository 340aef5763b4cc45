import { NotFound404 } from "@/components/shell/route-not-found";

export default function NotFound() {
  return (
    <NotFound404
      title="Nothing here"
      description="This page, or the task, instruction or agent it points to, does not exist (or no longer does)."
      back={{ href: "/", label: "Back to the overview" }}
    />
  );
}
