import { Router } from 'express';
import type { UsersService } from '../../services/users.service.js';
import { requireAdmin } from '../shared/principal.js';
import { parse } from '../shared/validate.js';
import { CreateUserRequest, userIdParams } from './auth.contract.js';

/** POST/GET/DELETE /api/users (admin only): named users with their own revocable tokens. */
export function usersRoutes(users: UsersService): Router {
  const router = Router();

  router.post('/api/users', async (req, res) => {
    requireAdmin(req, 'manage users');
    const body = parse(CreateUserRequest, req.body ?? {}, 'JSON body');
    const { user, token } = await users.create(body.name, body.limits);
    res
      .status(201)
      .json({ success: true, message: 'User created: the token is shown this once', data: { ...user, token } });
  });

  router.get('/api/users', async (req, res) => {
    requireAdmin(req, 'manage users');
    res.json({ success: true, data: await users.list() });
  });

  router.delete('/api/users/:id', async (req, res) => {
    requireAdmin(req, 'manage users');
    const { id } = parse(userIdParams, req.params, 'path parameter');
    await users.remove(id);
    res.json({ success: true, message: 'User removed: their token no longer works', data: { id } });
  });

  return router;
}
