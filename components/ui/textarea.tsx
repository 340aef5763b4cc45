import * as React from "react";
import { cn } from "./cn";
import { controlClass } from "./input";

export function Textarea({ className, rows = 4, ...props }: React.ComponentProps<"textarea">) {
  return <textarea rows={rows} data-slot="textarea" className={cn(controlClass, "min-h-16 py-1.5 leading-relaxed", className)} {...props} />;
}
