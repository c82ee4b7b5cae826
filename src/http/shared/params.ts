import { invalidInput } from '../../domain/errors.js';
import { normalizeInfoHash } from '../../domain/torrent-input.js';
import { domainValue } from './validate.js';

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

// ---- the same checks as zod schemas, for the contracts (and so for /docs.json) ----

const HASH_HELP = '40 hex or 32 base32 characters';
const EXAMPLE_HASH = '0123456789abcdef0123456789abcdef01234567';

/** An info hash in a body or a list; normalized to lower-case hex. */
export const infoHash = domainValue(infoHashParam).openapi({
  type: 'string',
  description: HASH_HELP,
  example: EXAMPLE_HASH,
});

/** An info hash as a path parameter (the description belongs to the parameter there). */
export const infoHashPath = domainValue(infoHashParam).openapi({
  type: 'string',
  example: EXAMPLE_HASH,
  param: { description: HASH_HELP },
});

/** An optional file index (query string or JSON); absent and "" mean "the default file". */
export const optionalFileIndex = domainValue((value) => fileIndexParam(value)).openapi({ type: 'integer', minimum: 0 });

/** A file index that is part of the path, so always there. */
export const fileIndexPath = domainValue((value) => {
  const index = fileIndexParam(value);
  if (index === undefined) throw invalidInput('fileIndex is required');
  return index;
}).openapi({ type: 'integer', minimum: 0 });

/** A query flag: "true", "1" or "yes" (any case) is on, anything else (or nothing) off. */
export const flag = domainValue(booleanParam).openapi({ type: 'boolean', default: false });
