/** One outbound HTTP exchange, bounded in time and size. */
export interface OutboundRequest {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** The body is cut off past this many bytes: UPSTREAM_ERROR with details.tooLarge. */
  maxBytes: number;
  /** Default true (at most 5, each checked). False: a 3xx is the answer (credentials never leave the origin). */
  followRedirects?: boolean;
}

export interface OutboundResponse {
  status: number;
  headers: Record<string, string | undefined>;
  body: Buffer;
  /** Where the answer came from, after redirects. */
  url: string;
}

/**
 * The one way the server calls out (a .torrent URL, upstream addons, Kodi). Implementations refuse
 * private and loopback addresses unless allowed, check every redirect again, and never forward
 * credentials to another origin. Rejects with a DomainError: URL_NOT_ALLOWED, or UPSTREAM_ERROR whose
 * details say why: `timeout`, `tooLarge`, or the network error's `code` (ECONNREFUSED, ENOTFOUND...).
 */
export interface OutboundHttp {
  request(url: string, options: OutboundRequest): Promise<OutboundResponse>;
}
