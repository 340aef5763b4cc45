/**
 * An instruction's tasks with each one's sub-tasks right under it (the folder protocol's strategic
 * tasks and their tactical tasks), keeping the given order among siblings. A task whose parent is not
 * in the list stays at the top level; `depth` is how far in it is shown.
 */
export function nestTasks<T extends { id: string; parentTaskId: string | null }>(tasks: readonly T[]): { task: T; depth: number; children: number }[] {
  const ids = new Set(tasks.map((t) => t.id));
  const kids = new Map<string, T[]>();
  for (const t of tasks) {
    if (t.parentTaskId && ids.has(t.parentTaskId) && t.parentTaskId !== t.id) kids.set(t.parentTaskId, [...(kids.get(t.parentTaskId) ?? []), t]);
  }
  const out: { task: T; depth: number; children: number }[] = [];
  const seen = new Set<string>();
  const visit = (t: T, depth: number) => {
    if (seen.has(t.id)) return;
    seen.add(t.id);
    out.push({ task: t, depth, children: kids.get(t.id)?.length ?? 0 });
    for (const c of kids.get(t.id) ?? []) visit(c, depth + 1);
  };
  for (const t of tasks) if (!t.parentTaskId || !ids.has(t.parentTaskId)) visit(t, 0);
  // A loop of parents (imported data) has no top: keep those last, flat.
  for (const t of tasks) visit(t, 0);
  return out;
}
