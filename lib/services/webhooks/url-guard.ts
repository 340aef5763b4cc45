import "server-only";
import { BlockList, isIP } from "node:net";
import { ServiceError } from "../errors";

/**
 * SSRF guard for webhook URLs (docs/webhooks.md, "Which URLs are accepted"). A webhook makes the
 * server send requests where an admin says: without this, a URL could reach services that only
 * listen on this machine or the private network (a cloud metadata endpoint, a database admin page).
 * Checked twice: on the URL when it is saved (literal addresses and local names), and on every
 * address the name resolves to when a delivery is sent (DNS may point a public name at 127.0.0.1).
 * `AGENTDESK_WEBHOOKS_ALLOW_PRIVATE=1` lifts the address rule (a receiver on the same network, tests).
 */
const blocked = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const)
  blocked.addSubnet(net, prefix, "ipv4");
for (const [net, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
  ["2001:db8::", 32],
] as const)
  blocked.addSubnet(net, prefix, "ipv6");

export const allowPrivateWebhookTargets = (env: NodeJS.ProcessEnv = process.env) => env.AGENTDESK_WEBHOOKS_ALLOW_PRIVATE === "1";

/** Loopback, private, link-local, carrier-grade NAT, multicast, documentation or unspecified. */
export function isPrivateAddress(address: string): boolean {
  const ip = address.replace(/^\[|\]$/g, "");
  const v = isIP(ip);
  if (v === 4) return blocked.check(ip, "ipv4");
  if (v === 6) {
    // ::ffff:10.0.0.1 and ::ffff:a00:1 (IPv4-mapped) are the IPv4 address.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
    if (mapped) return blocked.check(mapped[1], "ipv4");
    const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(ip);
    if (hex) {
      const n = (parseInt(hex[1], 16) << 16) | parseInt(hex[2], 16);
      return blocked.check([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join("."), "ipv4");
    }
    return blocked.check(ip, "ipv6");
  }
  return false;
}

const LOCAL_NAMES = /^(localhost|localhost\.localdomain|ip6-localhost|ip6-loopback)$|\.(localhost|local|internal|home\.arpa)$/i;

/**
 * The URL as it will be stored, or a validation error naming the field: http(s) only, no
 * credentials in it, no loopback/private address or local name unless allowed.
 */
export function checkWebhookUrl(raw: string, env: NodeJS.ProcessEnv = process.env): string {
  const fail = (msg: string): never => {
    throw new ServiceError("validation_failed", `Invalid input: url: ${msg}`, { fields: { url: [msg] } });
  };
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    return fail("Not a URL");
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") fail("Only http:// and https:// URLs are accepted");
  if (u.username || u.password) fail("Credentials in the URL are not accepted: put a token in the path or query instead");
  const host = u.hostname.replace(/^\[|\]$/g, "").replace(/\.$/, "");
  if (!host) fail("The URL has no host");
  if (!allowPrivateWebhookTargets(env) && (LOCAL_NAMES.test(host) || isPrivateAddress(host))) {
    fail("Loopback and private network addresses are refused (set AGENTDESK_WEBHOOKS_ALLOW_PRIVATE=1 to allow them)");
  }
  u.hash = "";
  return u.toString();
}
