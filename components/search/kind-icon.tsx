import { FileCode2, FileText, MessageSquare, SquareCheckBig } from "lucide-react";
import type { SearchKind } from "@/lib/queries/search";
import { Badge } from "@/components/ui/badge";
import { kindLabel } from "./hit-href";

const icons = { task: SquareCheckBig, output: FileCode2, instruction: FileText, message: MessageSquare } as const;

export function KindIcon({ kind, className }: { kind: SearchKind; className?: string }) {
  const Icon = icons[kind];
  return <Icon aria-hidden className={className} />;
}

/** The kind of a hit as a small badge with its icon. */
export function KindBadge({ kind, className }: { kind: SearchKind; className?: string }) {
  return (
    <Badge tone="outline" className={className}>
      <KindIcon kind={kind} />
      {kindLabel[kind].one}
    </Badge>
  );
}
