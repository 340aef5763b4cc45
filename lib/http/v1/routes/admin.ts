import "server-only";
import { createRoute, z } from "@hono/zod-openapi";
import {
  CreateTokenInput,
  CreateUserInput,
  PasswordRule,
  ServiceError,
  changeUserRole,
  createToken,
  createUser,
  deleteUser,
  listTokens,
  listUsers,
  revokeToken,
  setUserPassword,
} from "@/lib/services";
import type { Actor } from "@/lib/auth/actor";
import { hashPassword } from "@/lib/auth/secrets";
import { bodyFrom, jsonBody, jsonOk, optionalJsonBody, readErrors, writeErrors, type V1App } from "../route-kit";
import { NewToken, Token, TokenIdParam, User, UserIdParam } from "../schemas";

const tags = ["Admin"];

const listTokensRoute = createRoute({
  method: "get",
  path: "/tokens",
  operationId: "listTokens",
  tags,
  summary: "List API tokens (admin)",
  description: "Never the secrets: only their hashes are stored.",
  request: { query: z.strictObject({ agent: z.string().max(64).optional() }) },
  responses: { 200: jsonOk(z.object({ items: z.array(Token) }), "Tokens"), ...readErrors },
});

const createTokenRoute = createRoute({
  method: "post",
  path: "/tokens",
  operationId: "createToken",
  tags,
  summary: "Mint a token",
  description: "For an agent (`agent`, admin only) or for a person's scripts (`userId`; a person may mint one for themselves). The secret is in the answer this once; keep it.",
  request: { body: jsonBody(bodyFrom(CreateTokenInput.shape)) },
  responses: { 201: jsonOk(NewToken, "The token, with its secret"), ...writeErrors },
});

const revokeTokenRoute = createRoute({
  method: "post",
  path: "/tokens/{tokenId}/revoke",
  operationId: "revokeToken",
  tags,
  summary: "Revoke a token",
  description: "Refused from the next request on.",
  request: { params: TokenIdParam, body: optionalJsonBody(z.strictObject({})) },
  responses: { 200: jsonOk(Token, "The revoked token"), ...writeErrors },
});

const listUsersRoute = createRoute({
  method: "get",
  path: "/users",
  operationId: "listUsers",
  tags,
  summary: "List people (admin)",
  responses: { 200: jsonOk(z.object({ items: z.array(User) }), "People"), ...readErrors },
});

const createUserRoute = createRoute({
  method: "post",
  path: "/users",
  operationId: "createUser",
  tags,
  summary: "Create a person (admin)",
  request: {
    body: jsonBody(
      z.strictObject({
        email: CreateUserInput.shape.email,
        name: CreateUserInput.shape.name,
        role: CreateUserInput.shape.role,
        password: PasswordRule,
      }),
    ),
  },
  responses: { 201: jsonOk(User, "The new person"), ...writeErrors },
});

const deleteUserRoute = createRoute({
  method: "delete",
  path: "/users/{userId}",
  operationId: "deleteUser",
  tags,
  summary: "Delete a person (admin)",
  description: "Their sessions and tokens go with them.",
  request: { params: UserIdParam },
  responses: { 200: jsonOk(User, "The deleted person"), ...writeErrors },
});

const changeUserRoleRoute = createRoute({
  method: "patch",
  path: "/users/{userId}",
  operationId: "changeUserRole",
  tags,
  summary: "Give a person another role (admin)",
  description: "The last admin who can sign in cannot be demoted: 409 with `details.reason` `last_admin`.",
  request: { params: UserIdParam, body: jsonBody(z.strictObject({ role: CreateUserInput.shape.role })) },
  responses: { 200: jsonOk(User, "The person, with the new role"), ...writeErrors },
});

const setUserPasswordRoute = createRoute({
  method: "post",
  path: "/users/{userId}/password",
  operationId: "setUserPassword",
  tags,
  summary: "Set a person's password (admin)",
  description: "For a forgotten password. Every session of that person ends (they sign in again with the new one). The password is hashed here and never stored.",
  request: { params: UserIdParam, body: jsonBody(z.strictObject({ password: PasswordRule })) },
  responses: { 200: jsonOk(User.extend({ sessionsEnded: z.number().int() }), "The person, and how many sessions ended"), ...writeErrors },
});

/** Hashing costs ~50 ms of CPU: refuse non-admins before spending it (the service checks again). */
function requireAdminFirst(actor: Actor) {
  if (actor.kind !== "person" || actor.role !== "admin") throw new ServiceError("forbidden", "Only an admin may do this");
}

export function registerAdminRoutes(app: V1App) {
  app.openapi(listTokensRoute, (c) => c.json({ items: listTokens(c.get("ctx"), c.req.valid("query")) }, 200));
  app.openapi(createTokenRoute, (c) => c.json(createToken(c.get("ctx"), c.req.valid("json")), 201));
  app.openapi(revokeTokenRoute, (c) => c.json(revokeToken(c.get("ctx"), c.req.valid("param").tokenId), 200));
  app.openapi(listUsersRoute, (c) => c.json({ items: listUsers(c.get("ctx")) }, 200));
  app.openapi(createUserRoute, async (c) => {
    requireAdminFirst(c.get("actor"));
    const { password, ...rest } = c.req.valid("json");
    const passwordHash = await hashPassword(password);
    return c.json(createUser(c.get("ctx"), { ...rest, passwordHash }), 201);
  });
  app.openapi(changeUserRoleRoute, (c) => c.json(changeUserRole(c.get("ctx"), { userId: c.req.valid("param").userId, role: c.req.valid("json").role }), 200));
  app.openapi(deleteUserRoute, (c) => c.json(deleteUser(c.get("ctx"), c.req.valid("param").userId), 200));
  app.openapi(setUserPasswordRoute, async (c) => {
    requireAdminFirst(c.get("actor"));
    const passwordHash = await hashPassword(c.req.valid("json").password);
    return c.json(setUserPassword(c.get("ctx"), { userId: c.req.valid("param").userId, passwordHash }), 200);
  });
}
