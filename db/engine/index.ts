import type { DialectSql, Engine, Handle } from "./types";

export type { Db, DialectSql, Engine, Handle, Tx, TxOptions } from "./types";

// A transaction object shares its database's drizzle session: the session is the key, so the engine
// of a `tx` passed down a verb is found without threading it through every signature.
const sessionOf = (h: object): object => (h as { session?: object }).session ?? h;
// On globalThis: Next evaluates this module once per route bundle, and a database opened by the
// server (getDb) must be found from every bundle's copy.
const registryKey = Symbol.for("agentdesk.engines");
type G = typeof globalThis & { [registryKey]?: WeakMap<object, Engine> };
const engines: WeakMap<object, Engine> = ((globalThis as G)[registryKey] ??= new WeakMap());

/** Called by an engine once, for the database object it built. */
export function registerEngine(db: object, engine: Engine): void {
  engines.set(sessionOf(db), engine);
}

/** The engine a database or transaction runs on. */
export function engineOf(h: Handle | object): Engine {
  const e = engines.get(sessionOf(h));
  if (!e) throw new Error("No database engine is registered for this handle (open it with openDatabase or openEngine)");
  return e;
}

/** The SQL fragments of the engine `h` runs on. */
export const dialect = (h: Handle | object): DialectSql => engineOf(h).sql;
