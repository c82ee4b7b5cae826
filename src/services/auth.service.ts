import { createHash, timingSafeEqual } from 'node:crypto';
import type { UserLimits, UserStore } from '../ports/user-store.js';

/** Who is asking: the admin (API_TOKEN, or everyone when no token is set) or a named user. */
export type Principal =
  | {
      kind: 'admin';
      name: 'admin';
      /** The token the request came with; undefined when auth is off. */ token: string | undefined;
    }
  | { kind: 'user'; id: string; name: string; token: string; limits: UserLimits };

export const tokenHash = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/**
 * Turns a presented token into a principal. The admin token is compared in constant time (over SHA-256
 * digests, so lengths leak nothing either); user tokens are looked up by their hash in the shared store,
 * on every request, so a revoked token stops working at once.
 */
export class AuthService {
  private readonly adminDigest: Buffer | undefined;

  constructor(
    adminToken: string | undefined,
    private readonly users: Pick<UserStore, 'findByTokenHash'>,
  ) {
    this.adminDigest = adminToken === undefined ? undefined : Buffer.from(tokenHash(adminToken), 'hex');
  }

  /** False when API_TOKEN is not set: every request is the admin, links carry no token. */
  get enabled(): boolean {
    return this.adminDigest !== undefined;
  }

  async authenticate(token: string | undefined): Promise<Principal | undefined> {
    if (!this.adminDigest) return { kind: 'admin', name: 'admin', token: undefined };
    if (!token) return undefined;
    const digest = tokenHash(token);
    if (timingSafeEqual(Buffer.from(digest, 'hex'), this.adminDigest)) return { kind: 'admin', name: 'admin', token };
    const user = await this.users.findByTokenHash(digest);
    return user ? { kind: 'user', id: user.id, name: user.name, token, limits: user.limits } : undefined;
  }
}
