import { failure, htmlPage, ok, okWithMessage, type Registrar } from '../shared/contract.js';
import { z } from '../shared/zod.js';

/** Contract of /login, /logout, /api/session (login.routes.ts) and /api/users (users.routes.ts). */

const Limits = z
  .object({
    maxStreams: z.number().int().min(1).optional().openapi({ description: 'Streams open at once' }),
    addsPerDay: z.number().int().min(1).optional().openapi({ description: 'Torrents added per UTC day' }),
  })
  .openapi('UserLimits');

// Types are checked by UsersService, whose messages name the field; this documents the shape.
export const CreateUserRequest = z
  .object({ name: z.unknown().openapi({ type: 'string', example: 'living-room-tv' }), limits: z.unknown().optional() })
  .openapi('CreateUser', { description: 'name: 1-64 letters, digits, spaces, . _ -; limits: see UserLimits' });

export const userIdParams = z.object({
  id: z.string().regex(/^[0-9a-f]{16}$/, 'id must be 16 hex characters (from GET /api/users)'),
});

const UserView = z.object({ id: z.string(), name: z.string(), createdAt: z.string(), limits: Limits }).openapi('User');

const Session = z.object({
  authRequired: z.boolean().openapi({ description: 'Whether API_TOKEN is set' }),
  kind: z.enum(['admin', 'user']),
  name: z.string(),
  linkPrefix: z
    .string()
    .openapi({ description: 'Put before a path for links that play with only their URL, e.g. /t/<token>' }),
});

export const registerAuthContract: Registrar = (registry) => {
  registry.registerPath({
    method: 'get',
    path: '/login',
    summary: 'Sign-in page (a token field); also what a browser gets, with 401, for a page it may not see',
    request: { query: z.object({ next: z.string().optional() }) },
    responses: { 200: htmlPage() },
  });
  registry.registerPath({
    method: 'post',
    path: '/login',
    summary: 'Sign in: sets an HttpOnly, SameSite=Strict cookie with the token and redirects (303) to `next`',
    request: {
      body: {
        content: {
          'application/x-www-form-urlencoded': { schema: z.object({ token: z.string(), next: z.string().optional() }) },
        },
      },
    },
    responses: { 303: { description: 'Signed in' }, 401: htmlPage('The sign-in page with the error') },
  });
  registry.registerPath({
    method: 'post',
    path: '/logout',
    summary: 'Sign out (clears the cookie) and redirect to /login',
    responses: { 303: { description: 'Signed out' } },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/session',
    summary: 'Who the request is (admin or a user) and the link prefix for URLs handed to players',
    responses: { 200: ok(Session), 401: failure('No valid token') },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/users',
    summary: 'Create a user with their own token (admin only); the token is in this answer only',
    request: { body: { required: true, content: { 'application/json': { schema: CreateUserRequest } } } },
    responses: {
      201: okWithMessage(UserView.extend({ token: z.string() }), 'Created'),
      400: failure('Bad name or limits, or no API_TOKEN set'),
      403: failure('Not the admin token'),
      409: failure('The name is taken'),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/users',
    summary: 'List users (admin only); tokens are never shown again',
    responses: { 200: ok(z.array(UserView)), 403: failure('Not the admin token') },
  });
  registry.registerPath({
    method: 'delete',
    path: '/api/users/{id}',
    summary: 'Remove a user (admin only): their token stops working at once',
    request: { params: userIdParams },
    responses: {
      200: okWithMessage(z.object({ id: z.string() })),
      403: failure('Not the admin token'),
      404: failure('No such user'),
    },
  });
};
