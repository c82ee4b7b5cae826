/** Per-user limits; undefined = no limit. */
export interface UserLimits {
  /** Streams open at once. */
  maxStreams?: number;
  /** Torrents added per UTC day. */
  addsPerDay?: number;
}

/** A person or device that may use the server with its own revocable token. */
export interface User {
  /** Stable random id (the API's handle for revoking). */
  id: string;
  /** Unique, what the admin calls them ("kids-tv"). */
  name: string;
  /** SHA-256 (hex) of the token: the token itself is shown once at creation and never stored. */
  tokenHash: string;
  createdAt: number;
  limits: UserLimits;
}

/**
 * Where users live: beside the cache index (SQLite file, Redis, or a JSON file for the memory backend),
 * so several instances on one Redis share them and a revoked token stops working everywhere at once.
 * Three adapters pass one contract suite.
 */
export interface UserStore {
  /** Rejects with CONFLICT when the name is taken. */
  create(user: User): Promise<void>;
  /** Oldest first. */
  list(): Promise<User[]>;
  findByTokenHash(tokenHash: string): Promise<User | undefined>;
  /** Returns whether the user existed; their add counters go too. */
  remove(id: string): Promise<boolean>;
  /** Counts one add for the user on `day` (YYYY-MM-DD, UTC) and returns the day's count including it. */
  countAdd(id: string, day: string): Promise<number>;
  close(): Promise<void>;
}
