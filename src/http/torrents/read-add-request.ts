import busboy from 'busboy';
import type { Request } from 'express';
import { invalidInput } from '../../domain/errors.js';

const MAX_TORRENT_BYTES = 10 * 1024 * 1024;

/** What POST /api/torrents received, whatever the content type. */
export interface AddRequest {
  fields: Record<string, unknown>;
  torrentFile?: Uint8Array;
}

/**
 * Reads JSON (`{magnetUri|infoHash|torrentUrl}`), a raw `application/x-bittorrent` body,
 * or a multipart form with a `torrent` file field (plus optional text fields).
 */
export async function readAddRequest(req: Request): Promise<AddRequest> {
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('application/x-bittorrent') || type.startsWith('application/octet-stream')) {
    return { fields: { ...req.query }, torrentFile: await readRaw(req) };
  }
  if (type.startsWith('multipart/form-data')) return readMultipart(req);
  if (req.body && typeof req.body === 'object' && !Buffer.isBuffer(req.body))
    return { fields: req.body as Record<string, unknown> };
  throw invalidInput(
    'Send JSON {"magnetUri"|"infoHash"|"torrentUrl"}, a .torrent as application/x-bittorrent, or a multipart form with a "torrent" file',
  );
}

async function readRaw(req: Request): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_TORRENT_BYTES)
      throw invalidInput(`.torrent file is larger than ${MAX_TORRENT_BYTES / 1024 / 1024} MiB`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) throw invalidInput('The request body is empty: expected a .torrent file');
  return Buffer.concat(chunks);
}

function readMultipart(req: Request): Promise<AddRequest> {
  return new Promise((resolve, reject) => {
    const fields: Record<string, unknown> = {};
    let torrentFile: Uint8Array | undefined;
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { fileSize: MAX_TORRENT_BYTES, files: 1, fields: 20 } });
    } catch (err) {
      return reject(invalidInput(`Malformed multipart request: ${(err as Error).message}`));
    }
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('file', (_name, stream) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () =>
        reject(invalidInput(`.torrent file is larger than ${MAX_TORRENT_BYTES / 1024 / 1024} MiB`)),
      );
      stream.on('end', () => {
        torrentFile = Buffer.concat(chunks);
      });
    });
    parser.on('error', (err) => reject(invalidInput(`Malformed multipart request: ${(err as Error).message}`)));
    parser.on('close', () => resolve({ fields, ...(torrentFile?.length ? { torrentFile } : {}) }));
    req.pipe(parser);
  });
}
