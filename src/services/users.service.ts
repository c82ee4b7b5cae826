import { randomBytes } from 'node:crypto';
import { DomainError, invalidInput } from '../domain/errors.js';
import type { Clock } from '../ports/clock.js';
import type { User, UserLimits, UserStore } from '../ports/user-store.js';
import { tokenHash, type Principal } from './auth.service.js';

/** A user as the API shows it: never the token's hash. */
export interface UserView {
  id: string;
  name: string;
  createdAt: string;
  limits: UserLimits;
}

const NAME = /^[\p{L}\p{N} ._-]{1,64}$/u;

/**
 * Named users with their own revocable tokens (a family, a few friends, a TV), and their limits:
 * streams open at once and adds per day. The token is returned once, at creation; only its hash is kept.
 */
export class UsersService {
  private readonly openStreams = new Map<string, number>();

  constructor(
    private readonly store: UserStore,
    private readonly clock: Clock,
    private readonly enabled: boolean,
  ) {}

  async create(name: unknown, limits: unknown): Promise<{ user: UserView; token: string }> {
    if (!this.enabled) throw invalidInput('Users need authentication: set API_TOKEN on the server first');
    if (typeof name !== 'string' || !NAME.test(name.trim())) {
      throw invalidInput('name must be 1 to 64 letters, digits, spaces, dots, dashes or underscores');
    }
    const parsedLimits = parseLimits(limits);
    const token = randomBytes(24).toString('base64url');
    const user: User = {
      id: randomBytes(8).toString('hex'),
      name: name.trim(),
      tokenHash: tokenHash(token),
      createdAt: this.clock.now(),
      limits: parsedLimits,
    };
    await this.store.create(user);
    return { user: view(user), token };
  }

  async list(): Promise<UserView[]> {
    return (await this.store.list()).map(view);
  }

  async remove(id: string): Promise<void> {
    if (!(await this.store.remove(id))) throw new DomainError('NOT_FOUND', `No user with id ${id}`);
  }

  /** Counts an add against the user's daily limit; RATE_LIMITED past it. The admin has no limit. */
  async consumeAdd(principal: Principal): Promise<void> {
    if (principal.kind !== 'user' || principal.limits.addsPerDay === undefined) return;
    const day = new Date(this.clock.now()).toISOString().slice(0, 10);
    const count = await this.store.countAdd(principal.id, day);
    if (count > principal.limits.addsPerDay) {
      throw new DomainError(
        'RATE_LIMITED',
        `${principal.name} has added ${principal.limits.addsPerDay} torrents today, their daily limit; try again tomorrow (UTC)`,
      );
    }
  }

  /** Takes a stream slot (RATE_LIMITED past the user's maxStreams); call the returned function when the stream ends. */
  openStream(principal: Principal): () => void {
    if (principal.kind !== 'user' || principal.limits.maxStreams === undefined) return () => undefined;
    const open = this.openStreams.get(principal.id) ?? 0;
    if (open >= principal.limits.maxStreams) {
      throw new DomainError(
        'RATE_LIMITED',
        `${principal.name} already has ${open} streams open, their limit; close one first`,
      );
    }
    this.openStreams.set(principal.id, open + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.openStreams.get(principal.id) ?? 1) - 1;
      if (left <= 0) this.openStreams.delete(principal.id);
      else this.openStreams.set(principal.id, left);
    };
  }
}

function parseLimits(raw: unknown): UserLimits {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw invalidInput('limits must be an object like {"maxStreams": 2, "addsPerDay": 10}');
  const limits: UserLimits = {};
  for (const key of ['maxStreams', 'addsPerDay'] as const) {
    const value = (raw as Record<string, unknown>)[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > 100_000) {
      throw invalidInput(`limits.${key} must be a whole number from 1 to 100000`);
    }
    limits[key] = value;
  }
  return limits;
}

const view = (user: User): UserView => ({
  id: user.id,
  name: user.name,
  createdAt: new Date(user.createdAt).toISOString(),
  limits: user.limits,
});
