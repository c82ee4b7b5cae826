/**
 * Domain errors carry a stable code; only the HTTP error middleware maps codes to statuses.
 * Services throw these and never know about HTTP.
 */
export type ErrorCode =
  | 'INVALID_INPUT'
  | 'NOT_FOUND'
  | 'FILE_NOT_FOUND'
  | 'METADATA_TIMEOUT'
  | 'STREAM_STALLED'
  | 'TORRENT_FAILED'
  | 'RANGE_NOT_SATISFIABLE'
  | 'INSUFFICIENT_STORAGE'
  | 'UNSAFE_PATH'
  | 'UPSTREAM_ERROR'
  | 'URL_NOT_ALLOWED'
  | 'ENGINE_UNAVAILABLE'
  | 'TOO_MANY_TORRENTS'
  | 'RATE_LIMITED'
  | 'FORBIDDEN'
  | 'CONFLICT'
  | 'INDEX_UNAVAILABLE'
  | 'UNAUTHORIZED'
  | 'TOO_BUSY'
  | 'FEATURE_UNAVAILABLE'
  | 'UNSUPPORTED_MEDIA'
  | 'INTERNAL';

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const invalidInput = (message: string, details?: Record<string, unknown>): DomainError =>
  new DomainError('INVALID_INPUT', message, details);

export const notFound = (message: string): DomainError => new DomainError('NOT_FOUND', message);
