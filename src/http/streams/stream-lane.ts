import type { IncomingMessage, RequestListener } from 'node:http';
import type { Logger } from '../../logger.js';
import type { AuthService } from '../../services/auth.service.js';
import { bearer, cookie, PATH_TOKEN, safeDecode, TOKEN_COOKIE } from '../middleware/auth.js';
import { allowOriginHeaders } from '../middleware/cors.js';
import { sendFailure } from '../middleware/error.middleware.js';
import { requestIdFor } from '../middleware/request-id.js';
import { logRequest } from '../middleware/request-log.js';
import { booleanParam, fileIndexParam, infoHashParam } from '../shared/params.js';
import { serveStream, type StreamServing } from './serve-stream.js';

export interface StreamLaneDeps extends StreamServing {
  auth: Pick<AuthService, 'authenticate'>;
  logger: Logger;
  /** NODE_ID, sent as X-Node as the app does. */
  nodeId?: string | undefined;
}

/** A stream read the lane answers: the file, the token it came with, and the route it is, as Express names it. */
export interface LaneRequest {
  infoHash: string;
  fileIndex: number | undefined;
  download: boolean;
  token: string | undefined;
  route: string;
}

const PROXY = /^\/stream\/proxy\/([^/]+)$/;
const PLAYER = /^\/stream\/([^/]+)\/([^/]+)\/([^/]+)$/;

/**
 * The server's hot path: a player's GET or HEAD of `/stream/proxy/<hash>` or `/stream/<hash>/<index>/<name>`
 * (bare or under `/t/<token>/`) with a valid token is answered on plain node:http, through the same
 * serveStream, headers, request id, log line and metrics as the Express route, but without Express: its
 * request and response prototypes alone halve the requests a second of a small cached range.
 *
 * Everything else goes to `app` as it came: other routes, a query the lane does not know, a path that
 * does not parse, and any request without a valid token (so 401s, the login page and the wrong-token
 * limit stay the app's). A stream route the lane declines is answered by the app exactly as before.
 */
export function streamLane(deps: StreamLaneDeps, app: RequestListener): RequestListener {
  const { auth, logger, nodeId } = deps;
  return (req, res) => {
    const lane = laneRequest(req);
    if (!lane) return app(req, res);
    auth.authenticate(lane.token).then(
      (principal) => {
        if (!principal) return app(req, res);
        const id = requestIdFor(req.headers['x-request-id']);
        // The app's headers, handed to the one writeHead of the response (respond-range.ts), not set one by
        // one: streams are readable from any origin (cors.ts).
        const headers = ['X-Request-Id', id, ...allowOriginHeaders('*')];
        if (nodeId !== undefined) headers.push('X-Node', nodeId);
        logRequest(logger, deps.metrics, req, res, () => ({ id, url: req.url ?? '/', route: lane.route }));
        // No request scope here (logger.ts's ScopedStorage would switch async hooks on for every stream):
        // the request line and a failure's line carry the id.
        serveStream(deps, req, res, principal, lane, headers).catch((err: unknown) => {
          if (!res.headersSent) for (let i = 0; i < headers.length; i += 2) res.setHeader(headers[i]!, headers[i + 1]!);
          sendFailure(res, err, logger.child({ reqId: id }), lane.route);
        });
      },
      // The user store unreachable: the app's authentication answers it (the same error, the same way).
      () => app(req, res),
    );
  };
}

/** The stream read `req` asks for, or undefined when the app should have it. */
export function laneRequest(req: Pick<IncomingMessage, 'method' | 'url' | 'headers'>): LaneRequest | undefined {
  if (req.method !== 'GET' && req.method !== 'HEAD') return undefined;
  const url = req.url ?? '';
  const q = url.indexOf('?');
  let path = q < 0 ? url : url.slice(0, q);
  let token: string | undefined;
  const prefixed = PATH_TOKEN.exec(path);
  if (prefixed) {
    token = safeDecode(prefixed[1]!);
    if (token === undefined) return undefined;
    path = prefixed[2] ?? '/';
  }
  const query = q < 0 ? undefined : queryOf(url.slice(q + 1));
  if (query === undefined && q >= 0) return undefined;
  try {
    const proxy = PROXY.exec(path);
    if (proxy) {
      return {
        infoHash: infoHashParam(proxy[1]),
        fileIndex: fileIndexParam(query?.get('fileIndex') ?? undefined),
        download: booleanParam(query?.get('download')),
        token: token ?? tokenOf(req, query),
        route: '/stream/proxy/:infoHash',
      };
    }
    const player = PLAYER.exec(path);
    if (!player || query?.has('fileIndex') || safeDecode(player[3]!) === undefined) return undefined;
    const fileIndex = fileIndexParam(player[2]);
    if (fileIndex === undefined) return undefined;
    return {
      infoHash: infoHashParam(player[1]),
      fileIndex,
      download: booleanParam(query?.get('download')),
      token: token ?? tokenOf(req, query),
      route: '/stream/:infoHash/:fileIndex/:fileName',
    };
  } catch {
    return undefined; // a hash or index that does not parse: the app's 400
  }
}

/** The query, when every key is one the stream routes read and none is repeated. */
function queryOf(search: string): URLSearchParams | undefined {
  const query = new URLSearchParams(search);
  const seen = new Set<string>();
  for (const key of query.keys()) {
    if (seen.has(key) || (key !== 'fileIndex' && key !== 'download' && key !== 'token')) return undefined;
    seen.add(key);
  }
  return query;
}

/** The token of a request without a /t/<token>/ prefix, looked for where the auth middleware looks. */
function tokenOf(req: Pick<IncomingMessage, 'headers'>, query: URLSearchParams | undefined): string | undefined {
  return bearer(req) ?? (query?.get('token') || undefined) ?? cookie(req, TOKEN_COOKIE);
}
