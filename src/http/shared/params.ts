import { invalidInput } from '../../domain/errors.js';
import { normalizeInfoHash } from '../../domain/torrent-input.js';

/** Route params are validated here, once, so handlers work with clean values. */
export function infoHashParam(value: unknown): string {
  const hash = typeof value === 'string' ? normalizeInfoHash(value) : undefined;
  if (!hash) throw invalidInput(`"${String(value)}" is not an info hash (40 hex or 32 base32 characters)`);
  return hash;
}

export function fileIndexParam(value: unknown, name = 'fileIndex'): number | undefined {
  if (value === undefined || value === '') return undefined;
  const text = String(value);
  if (!/^\d{1,9}$/.test(text)) throw invalidInput(`${name} must be a non-negative whole number, got "${text}"`);
  return Number(text);
}

export function booleanParam(value: unknown): boolean {
  return typeof value === 'string' && ['true', '1', 'yes'].includes(value.toLowerCase());
}
