import "server-only";
import { randomBytes, scryptSync } from "node:crypto";
import { SCRYPT } from "./secrets";

/** The same scrypt format as hashPassword, synchronously (seeding and the CLI, not request paths). */
export function hashPasswordSync(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString("base64url")}$${key.toString("base64url")}`;
}
