"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { TokenDto } from "@/lib/services";
import type { Role } from "@/lib/domain/vocabulary";
import { isApiError } from "./api";
import { call, endpoints, type CreateTokenBody, type NewTokenDto, type UserDto } from "./endpoints";
import { keys } from "./keys";

export type { NewTokenDto, TokenDto, UserDto };

/*
 * Settings (admins only): people's accounts and API tokens, the same verbs as `agentdesk user ...`
 * and `agentdesk token ...`. Lists are seeded by the server render; each mutation refetches its list.
 * Mutations are `silent`: the dialogs show the server's refusal in place.
 */

/** GET /users: every account, oldest first. */
export function useUsers(initial?: UserDto[]) {
  return useQuery({
    queryKey: keys.users,
    queryFn: async ({ signal }) => (await call(endpoints.users, { signal })).items,
    initialData: initial,
    staleTime: 5_000,
  });
}

/** GET /tokens (`agent`: only that agent's), newest first, never the secrets. */
export function useTokens(filters: { agent?: string } = {}, opts: { initial?: TokenDto[]; enabled?: boolean } = {}) {
  return useQuery({
    queryKey: keys.tokenList(filters),
    queryFn: async ({ signal }) => (await call(endpoints.tokens, { query: filters.agent ? { agent: filters.agent } : undefined, signal })).items,
    initialData: opts.initial,
    enabled: opts.enabled ?? true,
    staleTime: 5_000,
  });
}

export function useCreateUser() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { email: string; name: string; role: Role; password: string }) => call(endpoints.createUser, { body }),
    meta: { silent: true },
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.users }),
  });
}

export function useChangeUserRole() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { userId: string; role: Role }) => call(endpoints.changeUserRole, { params: { userId: v.userId }, body: { role: v.role } }),
    meta: { silent: true },
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.users }),
  });
}

export function useDeleteUser() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (userId: string) => call(endpoints.deleteUser, { params: { userId } }),
    meta: { silent: true },
    // Their tokens go with them.
    onSuccess: () => Promise.all([qc.invalidateQueries({ queryKey: keys.users }), qc.invalidateQueries({ queryKey: keys.tokens })]),
  });
}

/** POST /users/{id}/password: a forgotten password; the person's sessions end. */
export function useSetUserPassword() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { userId: string; password: string }) => call(endpoints.setUserPassword, { params: { userId: v.userId }, body: { password: v.password } }),
    meta: { silent: true },
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.users }),
  });
}

/** POST /tokens: the answer carries the secret this once; the caller shows it and forgets it. */
export function useCreateToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateTokenBody): Promise<NewTokenDto> => call(endpoints.createToken, { body }),
    meta: { silent: true },
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.tokens }),
  });
}

export function useRevokeToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (tokenId: string) => call(endpoints.revokeToken, { params: { tokenId }, body: {} }),
    meta: { silent: true },
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.tokens }),
  });
}

/** The server's 409 for demoting or deleting the last admin who can sign in. */
export function isLastAdminError(err: unknown): boolean {
  if (!isApiError(err) || err.status !== 409) return false;
  const details = err.problem.details as { reason?: unknown } | undefined;
  return details?.reason === "last_admin";
}
