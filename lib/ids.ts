import { randomBytes } from "node:crypto";

const alphabet = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford base32, lower case

function encodeTime(ms: number): string {
  let out = "";
  let n = ms;
  for (let i = 0; i < 10; i++) {
    out = alphabet[n % 32] + out;
    n = Math.floor(n / 32);
  }
  return out;
}

function randomPart(len: number): string {
  const bytes = randomBytes(len);
  let out = "";
  for (let i = 0; i < len; i++) out += alphabet[bytes[i] % 32];
  return out;
}

let lastMs = 0;
let counter = 0;

/**
 * Prefixed, time-ordered ids (`tsk_01jd...`): readable in logs, sortable by creation, so a
 * keyset page on (created_at, id) stays stable. A counter keeps ids made in the same
 * millisecond in order.
 */
export function newId(prefix: string, now: number = Date.now()): string {
  if (now === lastMs) counter++;
  else {
    lastMs = now;
    counter = 0;
  }
  return `${prefix}_${encodeTime(now)}${alphabet[Math.floor(counter / 32) % 32]}${alphabet[counter % 32]}${randomPart(6)}`;
}

/** inst_YYYYMMDD_NNN for a given sequence number (UTC day). */
export function instructionId(day: Date, seq: number): string {
  const y = day.getUTCFullYear();
  const m = String(day.getUTCMonth() + 1).padStart(2, "0");
  const d = String(day.getUTCDate()).padStart(2, "0");
  return `inst_${y}${m}${d}_${String(seq).padStart(3, "0")}`;
}
