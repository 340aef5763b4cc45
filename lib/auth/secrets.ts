import "server-only";
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from "node:crypto";

const scrypt = (password: string, salt: Buffer, keylen: number, opts: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))));

/**
 * Password hashing: scrypt (node:crypto, nothing to download) with N=2^15, r=8, p=1, a 16-byte
 * salt and a 32-byte key — OWASP's recommended minimum for scrypt, about 50 ms and 32 MiB per
 * hash here. Stored as `scrypt$N$r$p$salt$hash` so the parameters can be raised later.
 */
export const SCRYPT = { N: 2 ** 15, r: 8, p: 1, keylen: 32 } as const;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString("base64url")}$${key.toString("base64url")}`;
}

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  if (!stored) return false;
  const [alg, n, r, p, saltB64, keyB64] = stored.split("$");
  if (alg !== "scrypt" || !saltB64 || !keyB64) return false;
  const expected = Buffer.from(keyB64, "base64url");
  const key = await scrypt(password, Buffer.from(saltB64, "base64url"), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 64 * 1024 * 1024,
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A bearer token or session id: 256 random bits, with a prefix that says what it is. */
export function newSecret(prefix: "adk" | "ads"): string {
  return `${prefix}_${randomBytes(32).toString("base64url")}`;
}

/** Only hashes are stored: a copy of the database hands out no live token or session. */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

export const SESSION_COOKIE = "agentdesk_session";
export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
