import { NotFound404 } from "@/components/shell/route-not-found";
import { hrefs } from "@/lib/queries/links";

export default function InboxNotFound() {
  return (
    <NotFound404
      title="No such inbox"
      description="Every agent has an inbox named after it, and the people share one. This one does not exist."
      back={{ href: hrefs.inbox(), label: "Open the people's inbox" }}
    />
  );
}
