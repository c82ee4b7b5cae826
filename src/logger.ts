import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { ScopedStorage, type Closable } from './request-scope.js';

export type { Logger };

/** The request whose work is running now: every line logged inside it carries its `reqId`. */
const requestScope = new ScopedStorage<{ reqId: string }>();

/** Runs `fn` (and everything it starts) as part of request `reqId`, whose response is `res`. */
export function runInRequest<T>(reqId: string, res: Closable, fn: () => T): T {
  return requestScope.run({ reqId }, res, fn);
}

/** Secrets never reach a line: tokens, passwords, auth headers and cookies, wherever they appear. */
const REDACT = [
  'password',
  '*.password',
  '*.*.password',
  'token',
  '*.token',
  '*.*.token',
  'apiToken',
  '*.apiToken',
  'metricsToken',
  '*.metricsToken',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
];

export interface LoggerSettings {
  /** pino-pretty, for a person at a terminal (NODE_ENV=development only); JSON lines otherwise. */
  pretty?: boolean;
  /** Where the JSON lines go (stdout by default); tests pass a capture. Ignored when pretty. */
  destination?: DestinationStream;
}

/** Structured logs; secrets are redacted, and lines logged while a request runs carry its id. */
export function createLogger(level: string, { pretty = false, destination }: LoggerSettings = {}): Logger {
  const options: LoggerOptions = {
    level,
    redact: { paths: REDACT, censor: '[redacted]' },
    mixin: () => {
      const scope = requestScope.getStore();
      return scope ? { reqId: scope.reqId } : {};
    },
  };
  if (pretty && prettyAvailable()) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } } });
  }
  return destination ? pino(options, destination) : pino(options);
}

/** pino-pretty is a devDependency: a production install (npm ci --omit=dev) does not have it. */
function prettyAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

export const silentLogger: Logger = pino({ level: 'silent' });
