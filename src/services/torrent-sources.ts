import { buildMagnet, type ParsedTorrentInput } from '../domain/torrent-input.js';
import type { TorrentSource } from '../ports/torrent-engine.js';

/**
 * Where a torrent can come from, and what a later add of the same torrent teaches us. A player that
 * asks for `/stream/proxy/<hash>` starts a torrent with nothing but its hash; the magnet (trackers,
 * web seeds) or the .torrent (the metadata itself) often arrives a moment later from the user or an
 * addon. Those must reach the waiting torrent instead of being dropped as "already added".
 */
export interface KnownSources {
  source: TorrentSource;
  trackers: ReadonlySet<string>;
  webSeeds: ReadonlySet<string>;
}

export function initialSources(input: ParsedTorrentInput): KnownSources {
  const source: TorrentSource = input.torrentFile
    ? { kind: 'torrent-file', infoHash: input.infoHash, data: input.torrentFile }
    : {
        kind: 'magnet',
        infoHash: input.infoHash,
        magnetUri: input.magnetUri ?? buildMagnet(input.infoHash, { name: input.name, trackers: input.trackers }),
      };
  return { source, trackers: new Set(input.trackers), webSeeds: new Set(input.webSeeds ?? []) };
}

export interface SourceNews {
  /** Everything known now (undefined: the input brought nothing new). */
  merged: KnownSources | undefined;
  /** The metadata itself arrived (a .torrent for a torrent known only by magnet). */
  metadata: boolean;
  trackers: string[];
  webSeeds: string[];
}

/**
 * What `input` adds to `known`. The merged source keeps a .torrent over a magnet (it carries the
 * metadata: no peer needs to send it) and lists every tracker and web seed seen so far, so that a
 * restarted metadata attempt asks all of them.
 */
export function learnSources(known: KnownSources, input: ParsedTorrentInput): SourceNews {
  const trackers = input.trackers.filter((t) => !known.trackers.has(t));
  const webSeeds = (input.webSeeds ?? []).filter((w) => !known.webSeeds.has(w));
  const metadata = input.torrentFile !== undefined && known.source.kind === 'magnet';
  if (!metadata && trackers.length === 0 && webSeeds.length === 0)
    return { merged: undefined, metadata, trackers, webSeeds };
  const allTrackers = new Set([...known.trackers, ...trackers]);
  const allWebSeeds = new Set([...known.webSeeds, ...webSeeds]);
  const base: TorrentSource =
    metadata && input.torrentFile
      ? { kind: 'torrent-file', infoHash: known.source.infoHash, data: input.torrentFile }
      : known.source;
  const source: TorrentSource = { ...base, trackers: [...allTrackers], webSeeds: [...allWebSeeds] };
  return { merged: { source, trackers: allTrackers, webSeeds: allWebSeeds }, metadata, trackers, webSeeds };
}
