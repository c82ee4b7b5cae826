import { DomainError, invalidInput } from '../../domain/errors.js';
import { z } from './zod.js';

/**
 * A schema around one of our own checks (the param functions, which throw DomainErrors): the value
 * goes in as it came (string, number, array...) so the check sees exactly what it saw before, and a
 * thrown DomainError becomes a zod issue with the same message. `.optional()` first so the check also
 * runs for an absent key: it, not zod, decides whether absent is fine.
 */
export function domainValue<T>(check: (value: unknown) => T) {
  return z
    .unknown()
    .optional()
    .transform((value, ctx): T => {
      try {
        return check(value);
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        ctx.addIssue({ code: 'custom', message: err.message });
        return z.NEVER;
      }
    });
}

/**
 * Validates a request part against its contract schema, or throws INVALID_INPUT (400). Messages our
 * schemas spell out (custom ones, the param functions') are used as they are; zod's generic ones get
 * the field in front, so every message names the field and the problem. Only the first issue is
 * reported, as the hand-written checks did.
 */
export function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value, { error: (issue) => withField(issue, what) });
  if (result.success) return result.data;
  const first = result.error.issues[0];
  throw invalidInput(first?.message ?? `Invalid ${what}`);
}

/** Only called for issues that carry no message of their own (the schema gave none). */
function withField(issue: z.core.$ZodRawIssue, what: string): string {
  const generic = z.config().localeError?.(issue);
  const text = (typeof generic === 'string' ? generic : generic?.message) ?? 'Invalid input';
  const path = issue.path ?? [];
  return path.length > 0 ? `${what} "${path.map(String).join('.')}": ${text}` : `${what}: ${text}`;
}
