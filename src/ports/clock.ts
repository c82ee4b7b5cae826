/** Time source, injected so services with timeouts, TTLs and backoff can be tested with a fake clock. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason when it aborts first (the timer is cleared). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
