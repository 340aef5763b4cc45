import Link from "next/link";
import { Plus } from "lucide-react";
import { Button } from "@/components/ui/button";
import { hrefs } from "@/lib/queries/links";

/** The page-header action that opens the new-instruction page (overview and instruction list). */
export function NewInstructionButton() {
  return (
    <Button asChild variant="primary" size="sm">
      <Link href={hrefs.newInstruction()}>
        <Plus /> New instruction
      </Link>
    </Button>
  );
}
