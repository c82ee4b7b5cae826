import busboy from 'busboy';
import type { Request } from 'express';
import { invalidInput } from '../../domain/errors.js';

const MAX_TORRENT_BYTES = 10 * 1024 * 1024;

/** What POST /api/torrents received, whatever the content type. */
export interface AddRequest {
  fields: Record<string, unknown>;
  torrentFile?: Uint8Array;
}

/** When the server sets no requestTimeout (0): an upload must still end some time. */
const FALLBACK_UPLOAD_MS = 30_000;

/**
 * Reads JSON (`{magnetUri|infoHash|torrentUrl}`), a raw `application/x-bittorrent` body,
 * or a multipart form with a `torrent` file field (plus optional text fields).
 * A raw or multipart body must arrive within `timeoutMs`, by default the server's requestTimeout.
 */
export async function readAddRequest(req: Request, options: { timeoutMs?: number } = {}): Promise<AddRequest> {
  const timeoutMs = options.timeoutMs ?? serverRequestTimeout(req);
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('application/x-bittorrent') || type.startsWith('application/octet-stream')) {
    return { fields: { ...req.query }, torrentFile: await readRaw(req, timeoutMs) };
  }
  if (type.startsWith('multipart/form-data')) return readMultipart(req, timeoutMs);
  if (req.body && typeof req.body === 'object' && !Buffer.isBuffer(req.body))
    return { fields: req.body as Record<string, unknown> };
  throw invalidInput(
    'Send JSON {"magnetUri"|"infoHash"|"torrentUrl"}, a .torrent as application/x-bittorrent, or a multipart form with a "torrent" file',
  );
}

/** The deadline Node enforces on this request (node:http itself reaches the server as `socket.server`). */
function serverRequestTimeout(req: Request): number {
  const server = (req.socket as { server?: { requestTimeout?: unknown } }).server;
  const ms = server?.requestTimeout;
  return typeof ms === 'number' && ms > 0 ? ms : FALLBACK_UPLOAD_MS;
}

interface Settle<T> {
  resolve(value: T): void;
  reject(err: Error): void;
}

/**
 * Runs `start` over the request body and settles exactly once: as `start` settles it, or with
 * INVALID_INPUT when the body has not arrived within `timeoutMs` or the connection closed first (Node's
 * requestTimeout destroying the socket, or the client leaving). Without this, a multipart parser piped
 * from a dead request waits for ever. On settling the timer and listeners go, and `start`'s cleanup runs.
 */
function readBody<T>(req: Request, timeoutMs: number, start: (settle: Settle<T>) => () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let cleanup = () => {};
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.off('close', onGone);
      req.off('error', onGone);
      cleanup();
      fn();
    };
    const fail = (err: Error) =>
      finish(() => {
        // The rest of the body will not be read: close after the answer rather than wait for it.
        if (!req.complete && req.res && !req.res.headersSent) req.res.setHeader('Connection', 'close');
        reject(err);
      });
    const late = (ms: number) => invalidInput(`The upload did not arrive within ${ms / 1000} s`);
    const onGone = () => {
      if (req.complete) return; // the whole body is in: `start` settles
      const code = (req.socket.errored as NodeJS.ErrnoException | null)?.code;
      fail(
        code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? late(serverRequestTimeout(req))
          : invalidInput('The upload was interrupted by the client'),
      );
    };
    const timer = setTimeout(() => fail(late(timeoutMs)), timeoutMs);
    req.on('close', onGone);
    req.on('error', onGone);
    cleanup = start({ resolve: (value) => finish(() => resolve(value)), reject: fail });
    if (req.destroyed) onGone(); // closed before we listened
  });
}

const tooLarge = () => invalidInput(`.torrent file is larger than ${MAX_TORRENT_BYTES / 1024 / 1024} MiB`);

function readRaw(req: Request, timeoutMs: number): Promise<Uint8Array> {
  return readBody(req, timeoutMs, ({ resolve, reject }) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_TORRENT_BYTES) return reject(tooLarge());
      chunks.push(chunk);
    };
    const onEnd = () =>
      size === 0
        ? reject(invalidInput('The request body is empty: expected a .torrent file'))
        : resolve(Buffer.concat(chunks));
    req.on('data', onData);
    req.on('end', onEnd);
    return () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.pause(); // read nothing more; the answer closes the connection
    };
  });
}

function readMultipart(req: Request, timeoutMs: number): Promise<AddRequest> {
  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: req.headers, limits: { fileSize: MAX_TORRENT_BYTES, files: 1, fields: 20 } });
  } catch (err) {
    return Promise.reject(invalidInput(`Malformed multipart request: ${(err as Error).message}`));
  }
  return readBody(req, timeoutMs, ({ resolve, reject }) => {
    const fields: Record<string, unknown> = {};
    let torrentFile: Uint8Array | undefined;
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('file', (_name, stream) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => reject(tooLarge()));
      // busboy destroys an unfinished file stream with the parser's own error ("Unexpected end of
      // form"), reported below; unheard, that 'error' would be an uncaught exception and end the process.
      stream.on('error', () => {});
      stream.on('end', () => {
        torrentFile = Buffer.concat(chunks);
      });
    });
    // Malformed input, a body that ends mid-form, or our destroy() below: stays attached for good.
    parser.on('error', (err) => reject(invalidInput(`Malformed multipart request: ${(err as Error).message}`)));
    parser.on('close', () => resolve({ fields, ...(torrentFile?.length ? { torrentFile } : {}) }));
    req.pipe(parser);
    return () => {
      req.unpipe(parser);
      req.pause();
      parser.destroy();
    };
  });
}
