import { NextResponse, type NextRequest } from "next/server";
import { safeNext } from "@/lib/url/same-origin";
import { browserHostAllowed, hostRefusal, requestHost } from "@/lib/auth/allowed-host";

const SESSION_COOKIE = "agentdesk_session";
const PUBLIC = ["/sign-in", "/setup"];

/**
 * Runs for every page request (never for /api, which the Hono app owns): a fresh CSP nonce per
 * request so Next's and next-themes' inline scripts run and nothing else does, a 403 for a Host
 * name AgentDesk does not answer at, and an early redirect to sign-in when there is no session
 * cookie at all. The real session check happens in the page (getPageContext) and in the service
 * layer; this is only the fast path.
 */
export function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const dev = process.env.NODE_ENV === "development";
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");

  // Pages answer only at a loopback or configured host name, like the API's cookie routes (DNS
  // rebinding: lib/auth/allowed-host.ts).
  const host = requestHost(request.headers);
  if (!browserHostAllowed(host)) {
    return new NextResponse(`403 Forbidden: ${hostRefusal(host)}\n`, {
      status: 403,
      headers: { "content-type": "text/plain; charset=utf-8", "Content-Security-Policy": csp, "cache-control": "no-store" },
    });
  }

  const { pathname, search } = request.nextUrl;
  const isPublic = PUBLIC.some((p) => pathname === p || pathname.startsWith(p + "/"));
  if (!isPublic && !request.cookies.has(SESSION_COOKIE)) {
    const url = request.nextUrl.clone();
    url.pathname = "/sign-in";
    // Only a path of ours travels as `next` (the sign-in page checks it again before using it).
    const next = safeNext(pathname + search);
    url.search = next === "/" ? "" : `?next=${encodeURIComponent(next)}`;
    const res = NextResponse.redirect(url);
    res.headers.set("Content-Security-Policy", csp);
    return res;
  }

  const headers = new Headers(request.headers);
  headers.set("x-nonce", nonce);
  headers.set("Content-Security-Policy", csp);
  const res = NextResponse.next({ request: { headers } });
  res.headers.set("Content-Security-Policy", csp);
  return res;
}

export const config = {
  matcher: [
    {
      source: "/((?!api|_next/static|_next/image|favicon.ico).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
