/** fetch() for this server's JSON API: resolves to `data`, rejects with the server's message. */

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * `body` is sent as JSON, `form` (FormData) as multipart. Errors keep the documented shape
 * `{ success: false, error: { code, message } }`; anything else (a proxy's HTML page) gets a
 * readable message instead of a JSON parse error.
 */
export async function api(path, { method = 'GET', body, form, signal } = {}) {
  const init = { method, headers: { Accept: 'application/json' }, signal };
  if (form) init.body = form;
  else if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(0, 'NETWORK', 'The server cannot be reached. Is it running?');
  }
  let json;
  try {
    json = await res.json();
  } catch {
    throw new ApiError(res.status, 'BAD_RESPONSE', `Unexpected answer from the server (HTTP ${res.status})`);
  }
  if (!res.ok || json.success === false) {
    throw new ApiError(res.status, json.error?.code ?? 'HTTP_ERROR', json.error?.message ?? `HTTP ${res.status}`);
  }
  return json.data ?? json;
}

/** True when a feature route (Kodi, addon, subtitles) is simply not installed on this server. */
export const isMissingRoute = (err) =>
  err instanceof ApiError && err.status === 404 && /^No route for /.test(err.message);
