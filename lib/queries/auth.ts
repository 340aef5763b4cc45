import { apiFetch } from "./api";

/*
 * /api/auth: sessions for people. Outside /api/v1 (and its OpenAPI document): the browser alone
 * speaks it, so it lives here beside the typed client rather than in the endpoint table.
 */
const AUTH = "/api/auth";

export function signIn(body: { email: string; password: string }): Promise<unknown> {
  return apiFetch(`${AUTH}/sign-in`, { method: "POST", body });
}

export function signOut(): Promise<unknown> {
  return apiFetch(`${AUTH}/sign-out`, { method: "POST", body: {} });
}

/** Creates the first admin on a fresh database (refused once anyone exists). */
export function createFirstAdmin(body: { email: string; name: string; password: string }): Promise<unknown> {
  return apiFetch(`${AUTH}/first-run`, { method: "POST", body });
}
