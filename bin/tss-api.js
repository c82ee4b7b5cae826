// The REST API of a torrent stream server, as the tss CLI uses it: plain fetch, our JSON envelope.

/** An answer the server refused ({success:false,error:{code,message}}) or a server we could not reach. */
export class ApiError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

export function client({ server, token }) {
  const base = server.replace(/\/+$/, '');
  const headers = token ? { Authorization: `Bearer ${token}` } : {};

  async function call(method, path, { json, body, contentType } = {}) {
    let res;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: {
          ...headers,
          Accept: 'application/json',
          ...(json !== undefined ? { 'Content-Type': 'application/json' } : {}),
          ...(contentType ? { 'Content-Type': contentType } : {}),
        },
        body: json !== undefined ? JSON.stringify(json) : body,
      });
    } catch (err) {
      const reason = err?.cause?.code ?? err?.cause?.message ?? err.message;
      throw new ApiError(`cannot reach ${base}: ${reason}`, 'UNREACHABLE');
    }
    const text = await res.text();
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ApiError(
        `${method} ${path} answered ${res.status} with no JSON (is ${base} a tss server?)`,
        'BAD_ANSWER',
      );
    }
    if (!res.ok || parsed?.success === false) {
      const error = parsed?.error ?? {};
      throw new ApiError(
        error.message ?? `${method} ${path} answered ${res.status}`,
        error.code ?? `HTTP_${res.status}`,
      );
    }
    return parsed;
  }

  const hash = (infoHash) => encodeURIComponent(infoHash);
  return {
    base,
    addJson: (fields) => call('POST', '/api/torrents', { json: fields }),
    addTorrentFile: (bytes) => call('POST', '/api/torrents', { body: bytes, contentType: 'application/x-bittorrent' }),
    list: () => call('GET', '/api/torrents'),
    get: (infoHash) => call('GET', `/api/torrents/${hash(infoHash)}`),
    remove: (infoHash, deleteFiles) =>
      call('DELETE', `/api/torrents/${hash(infoHash)}${deleteFiles ? '?deleteFiles=true' : ''}`),
    streamInfo: (infoHash) => call('GET', `/stream/info/${hash(infoHash)}`),
    kodiPlay: (infoHash, fileIndex) =>
      call('POST', '/api/kodi/play', { json: { infoHash, ...(fileIndex !== undefined ? { fileIndex } : {}) } }),
  };
}
