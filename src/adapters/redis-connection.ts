import { Redis } from 'ioredis';
export type { Redis as RedisClient } from 'ioredis';

export interface RedisConnectionOptions {
  url: string;
  password?: string;
  /** Namespace for every key, e.g. 'tss:'; instances sharing a prefix share the data. */
  keyPrefix: string;
}

const CONNECT_TIMEOUT_MS = 3000;

/** The URL for messages and logs: never the password. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^/]*@/, '//$1:***@');
}

/**
 * One ioredis client as every Redis adapter wants it: no I/O until the first `open()`, which fails fast
 * (no retries, ~3 s) with an Error naming the URL but never the password; afterwards commands fail fast
 * while Redis is down (no offline queue) and the client reconnects in the background.
 */
export class RedisConnection {
  readonly client: Redis;
  readonly prefix: string;
  readonly safeUrl: string;
  private opening: Promise<void> | undefined;
  /** True during the first connect: no retries then, start-up should fail fast instead. */
  private starting = false;
  private closed = false;

  constructor(
    options: RedisConnectionOptions,
    private readonly what = 'RedisConnection',
  ) {
    this.prefix = options.keyPrefix;
    this.safeUrl = redactUrl(options.url);
    this.client = new Redis(options.url, {
      password: options.password,
      lazyConnect: true,
      connectTimeout: CONNECT_TIMEOUT_MS,
      // Fail a command fast instead of queueing it forever while Redis is down; callers decide.
      maxRetriesPerRequest: 2,
      enableOfflineQueue: false,
      retryStrategy: (times) => (this.starting ? null : Math.min(times * 200, 2000)),
    });
    // Without a listener ioredis prints every failed reconnect attempt to stderr; callers see the
    // failures as rejected commands.
    this.client.on('error', () => undefined);
  }

  /** Connects and PINGs once; later calls share the result (a failed first connect may be retried). */
  open(): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`${this.what} is closed`));
    this.opening ??= this.doOpen().catch((err: unknown) => {
      this.opening = undefined;
      throw err;
    });
    return this.opening;
  }

  private async doOpen(): Promise<void> {
    let lastError: Error | undefined;
    const onError = (err: Error): void => {
      lastError = err;
    };
    this.client.on('error', onError);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
    });
    this.starting = true;
    try {
      await Promise.race([this.client.connect().then(() => this.client.ping()), timeout]);
    } catch (err) {
      // A refused connection already ended (no retries while starting). Calling disconnect() on
      // it anyway would leave ioredis' 2 s "destroy the stream" timer holding the process open.
      if (this.client.status !== 'end') this.client.disconnect();
      const cause = lastError ?? (err instanceof Error ? err : new Error(String(err)));
      throw new Error(`Cannot reach Redis at ${this.safeUrl}: ${cause.message}`, { cause });
    } finally {
      this.starting = false;
      clearTimeout(timer);
      this.client.off('error', onError);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // quit() flushes pending replies; on a connection that never came up it would just wait.
    if (this.client.status === 'ready') await this.client.quit();
    else if (this.client.status !== 'end') this.client.disconnect(); // 'end' would only arm a stray timer
  }
}
