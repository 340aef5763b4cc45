/**
 * The favicon with the unread count on it. ICON_MARKUP is app/icon.svg's drawing (favicon.test.ts
 * checks they stay the same); the badge is a red disc in its top-right corner, "9+" above nine.
 */
export const ICON_MARKUP =
  '<rect width="32" height="32" rx="7" fill="#27272a"/><path d="M10 23 16 8l6 15m-10-5h8" fill="none" stroke="#fafafa" stroke-width="2.6" stroke-linecap="round" stroke-linejoin="round"/>';

export const badgeLabel = (n: number): string => (n > 9 ? "9+" : String(n));

/** The icon as an SVG data URL, with the badge when `count` is above zero. */
export function badgedIconUrl(count: number): string {
  const badge =
    count > 0
      ? `<circle cx="23" cy="9" r="9" fill="#dc2626" stroke="#ffffff" stroke-width="1.5"/><text x="23" y="9" dy="0.36em" text-anchor="middle" font-family="Arial,Helvetica,sans-serif" font-weight="700" font-size="${count > 9 ? 9 : 12}" fill="#ffffff">${badgeLabel(count)}</text>`
      : "";
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">${ICON_MARKUP}${badge}</svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

/** "(3) Inbox · AgentDesk" from "Inbox · AgentDesk" and 3; the plain title for 0. Idempotent. */
export function titleWithCount(title: string, count: number): string {
  const base = title.replace(/^\(\d+\+?\) /, "");
  return count > 0 ? `(${count > 99 ? "99+" : count}) ${base}` : base;
}
