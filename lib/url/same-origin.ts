/*
 * Same-origin checks for URLs that come from outside: a `next` parameter to redirect to after
 * sign-in, an href in markdown an agent wrote. Pure (no Node, no React): pages, the proxy, the API
 * and client components all use it.
 *
 * Both answer the question the way a browser would, by parsing with the WHATWG URL parser against
 * an origin of our own: it drops tab, CR and LF anywhere, strips leading spaces and control
 * characters, and reads `\` as `/`, which is how `/%09/evil.example`, `/\evil.example` and friends
 * slipped past prefix checks.
 */

// A stand-in for our origin: any origin works for the comparison, as long as it is ours alone.
const HOME = "http://agentdesk.invalid";

/**
 * Where to send the browser after sign-in: the path (with query and fragment) if `next` is a path on
 * this origin, otherwise `/`. The answer is serialised by the URL parser, so it is printable ASCII
 * (a valid Location header: no raw NUL, newline or non-ASCII character) and starts with exactly one `/`.
 */
export function safeNext(next: unknown): string {
  if (typeof next !== "string" || !next.startsWith("/")) return "/";
  let url: URL;
  try {
    url = new URL(next, HOME);
  } catch {
    return "/";
  }
  if (url.origin !== HOME) return "/";
  const out = url.pathname + url.search + url.hash;
  // `/.//evil.example` parses to the path `//evil.example`, which as a Location is another host.
  if (!out.startsWith("/") || out.startsWith("//")) return "/";
  // The same answer when read again (what the browser does with the Location header).
  return new URL(out, HOME).origin === HOME ? out : "/";
}

/**
 * Whether following `href` from one of our pages leaves the app: an absolute URL with a scheme
 * (http, https, mailto...) or a protocol-relative one (`//host`, `/\host`, `\\host`, with tabs or
 * newlines smuggled in between). Relative paths, `?query` and `#fragment` stay in the app.
 */
export function isExternalHref(href: string): boolean {
  let url: URL;
  try {
    url = new URL(href, `${HOME}/`);
  } catch {
    return true; // the browser could not follow it either; nothing to treat as ours
  }
  return url.origin !== HOME;
}
