import "server-only";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";

/**
 * Reads a JSON body. Empty body = {}. Malformed JSON or another content type is a 400/415 with a
 * problem document; nothing downstream runs.
 */
export async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") return {};
  const type = c.req.header("content-type") ?? "";
  if (type && !/^application\/(.+\+)?json\b/i.test(type)) {
    throw new HTTPException(415, { message: "Send the body as application/json" });
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new SyntaxError("malformed");
  }
}
