import { mediaKind, playsInBrowser, type MediaKind } from '../domain/mime.js';
import type { EngineTorrent, TorrentFileInfo, TorrentMeta } from '../ports/torrent-engine.js';
import { isPadFile } from '../domain/pad-file.js';

export type TorrentStatus = 'connecting' | 'connected' | 'downloading' | 'complete' | 'failed';

export interface FileView {
  index: number;
  name: string;
  path: string;
  length: number;
  downloaded: number;
  progress: string;
  /** From the file name: what kind of player it needs. */
  mediaKind: MediaKind;
  /** A browser's <video>/<audio> plays it as it is (no remux). */
  browserPlayable: boolean;
}

export interface TorrentView {
  infoHash: string;
  name: string;
  status: TorrentStatus;
  /** Percent with two decimals, as a string (the seed's shape). */
  progress: string;
  downloadSpeed: number;
  uploadSpeed: number;
  downloaded: number;
  uploaded: number;
  numPeers: number;
  /** Open read streams from the torrent (players connected right now). */
  activeStreams: number;
  /** Milliseconds, null while unknown (no speed yet). */
  timeRemaining: number | null;
  addedAt: string;
  cached: boolean;
  error?: string;
  files: FileView[];
}

/** One file's view: `downloaded` bytes of it are on disk. */
export function fileView(f: Omit<TorrentFileInfo, 'index'> & { index: number }, downloaded: number): FileView {
  return {
    index: f.index,
    name: f.name,
    path: f.path,
    length: f.length,
    downloaded,
    progress: percent(downloaded, f.length),
    mediaKind: mediaKind(f.name),
    browserPlayable: playsInBrowser(f.name),
  };
}

const percent = (part: number, whole: number): string =>
  whole > 0 ? ((Math.min(part, whole) / whole) * 100).toFixed(2) : '0.00';

/**
 * Status of a live torrent. Progress and completion count only the files someone wants,
 * because files nobody asked for are never downloaded.
 */
export function describeLiveTorrent(args: {
  infoHash: string;
  fallbackName: string;
  addedAt: number;
  failure: string | undefined;
  engine: EngineTorrent | undefined;
  wanted: ReadonlySet<number>;
}): TorrentView {
  const { infoHash, engine, wanted } = args;
  const meta: TorrentMeta | undefined = engine?.meta();
  const stats = engine?.stats();
  const fileStats = new Map(stats?.files.map((f) => [f.index, f]) ?? []);
  const files: FileView[] = (meta?.files ?? [])
    .filter((f) => !isPadFile(f.path))
    .map((f) => {
      const stat = fileStats.get(f.index);
      // webtorrent's per-file count is approximate at shared piece edges; `done` is exact.
      const downloaded = stat?.done ? f.length : Math.min(stat?.downloaded ?? 0, f.length);
      return fileView(f, downloaded);
    });
  const wantedFiles = files.filter((f) => wanted.has(f.index));
  const total = wantedFiles.reduce((sum, f) => sum + f.length, 0);
  const done = wantedFiles.reduce((sum, f) => sum + f.downloaded, 0);
  const complete =
    meta !== undefined && wantedFiles.length > 0 && wantedFiles.every((f) => fileStats.get(f.index)?.done);
  const speed = stats?.downloadSpeed ?? 0;
  const numPeers = stats?.numPeers ?? 0;

  let status: TorrentStatus;
  if (args.failure) status = 'failed';
  else if (complete) status = 'complete';
  else if (!meta || numPeers === 0) status = 'connecting';
  else if (speed > 0) status = 'downloading';
  else status = 'connected';

  return {
    infoHash,
    name: meta?.name ?? args.fallbackName,
    status,
    progress: complete ? '100.00' : percent(done, total),
    downloadSpeed: speed,
    uploadSpeed: stats?.uploadSpeed ?? 0,
    downloaded: stats?.downloaded ?? 0,
    uploaded: stats?.uploaded ?? 0,
    numPeers,
    activeStreams: stats?.openStreams ?? 0,
    timeRemaining: complete ? 0 : speed > 0 ? Math.round(((total - done) / speed) * 1000) : null,
    addedAt: new Date(args.addedAt).toISOString(),
    cached: false,
    ...(args.failure ? { error: args.failure } : {}),
    files,
  };
}
