import { DomainError } from '../domain/errors.js';
import type { User, UserLimits } from '../ports/user-store.js';

/**
 * What the three UserStore adapters (JSON file, SQLite, Redis) share, so they agree on the error
 * for a taken name, on list order, on which days' add counters may be pruned, and on what a valid
 * stored user looks like.
 */

/** The CONFLICT every adapter throws for a taken name, word for word. */
export function nameTaken(name: string): DomainError {
  return new DomainError('CONFLICT', `A user named "${name}" already exists`);
}

/**
 * A duplicate id or token hash. Both are random (the service makes them), so a collision means a
 * broken generator or a caller bug, not something a client did: a plain Error (500), not CONFLICT.
 */
export function duplicateKey(field: 'id' | 'tokenHash'): Error {
  return new Error(`A user with this ${field} already exists`);
}

/**
 * list() order: oldest first; users created in the same millisecond by name (names are unique, so
 * the order is total and the same in every adapter, whatever order they were stored in).
 */
export function compareUsers(a: User, b: User): number {
  return a.createdAt - b.createdAt || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** Only the limits that are set: `{}` stays `{}`, and a limit of 0 is kept (0 is a limit, not "unset"). */
export function copyLimits(limits: UserLimits): UserLimits {
  const out: UserLimits = {};
  if (limits.maxStreams !== undefined) out.maxStreams = limits.maxStreams;
  if (limits.addsPerDay !== undefined) out.addsPerDay = limits.addsPerDay;
  return out;
}

/** A copy the store can keep: later changes to the caller's object must not reach it. */
export function copyUser(u: User): User {
  return { id: u.id, name: u.name, tokenHash: u.tokenHash, createdAt: u.createdAt, limits: copyLimits(u.limits) };
}

const isLimit = (v: unknown): boolean => v === undefined || (Number.isSafeInteger(v) && (v as number) >= 0);

function isLimits(value: unknown): value is UserLimits {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const l = value as Record<string, unknown>;
  return isLimit(l.maxStreams) && isLimit(l.addsPerDay);
}

export function isUser(value: unknown): value is User {
  if (typeof value !== 'object' || value === null) return false;
  const u = value as Record<string, unknown>;
  return (
    typeof u.id === 'string' &&
    u.id !== '' &&
    typeof u.name === 'string' &&
    u.name !== '' &&
    typeof u.tokenHash === 'string' &&
    u.tokenHash !== '' &&
    Number.isSafeInteger(u.createdAt) &&
    isLimits(u.limits)
  );
}

/** Refuses what could not be stored the same way everywhere (a float createdAt, a negative limit). */
export function assertUser(user: User): void {
  if (!isUser(user)) {
    throw new TypeError(
      'User needs non-empty id, name and tokenHash, an integer createdAt and limits of non-negative integers',
    );
  }
}

/** Parses limits as stored (a JSON object); anything else reads as no limits. */
export function parseLimits(json: string): UserLimits {
  try {
    const parsed: unknown = JSON.parse(json);
    return isLimits(parsed) ? copyLimits(parsed) : {};
  } catch {
    return {};
  }
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/** Checks `day` is a real YYYY-MM-DD date and returns its UTC midnight in ms. */
export function dayStart(day: string): number {
  const ms = DAY.test(day) ? Date.parse(`${day}T00:00:00Z`) : NaN;
  if (!Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== day) {
    throw new TypeError(`day must be a UTC date as YYYY-MM-DD, got "${day}"`);
  }
  return ms;
}

/** How many days of add counters are worth keeping: the day itself and the two before it. */
export const ADD_DAYS_KEPT = 3;

/** Counters for days before this one (YYYY-MM-DD) can go once `day` is being counted. */
export function pruneBefore(day: string): string {
  return new Date(dayStart(day) - (ADD_DAYS_KEPT - 1) * DAY_MS).toISOString().slice(0, 10);
}
