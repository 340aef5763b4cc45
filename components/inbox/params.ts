/** Route params may arrive encoded or not depending on the path taken; decode once, tolerantly. */
export function routeParam(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
