const MIB = 1024 * 1024;

/**
 * Blocks (16 KiB) we keep requested from one peer. webtorrent sizes its pipeline to a full second of
 * transfer, and a seek's urgent blocks queue behind all of it, in the peer's send buffer where no
 * cancel reaches: on a 2 MB/s peer 48 blocks are 0.4 s. One round trip's worth (the link's
 * bandwidth-delay product, the measured round trip already carrying some queueing) plus two blocks
 * fills the link and bounds that wait: on the slow-swarm bench, two round trips' worth kept 9-13 blocks
 * queued per peer and a seek took 127-151 ms (peerflix, 5 per peer: 105-113); one, 116-121 ms, at the
 * same stream throughput. 48 (0.75 MiB in flight) still fills a fast loopback link.
 */
const MAX_REQUESTS_PER_PEER = 48;
const MIN_REQUESTS_PER_PEER = 4;
const BLOCK_BYTES = 16 * 1024;
const ROUND_TRIP_SAMPLES = 32;
/** Blocks a wire may take over its pipeline while requestAtOnce places a read's first pieces. */
let placingAllowance = 0;

/** The parts of a bittorrent-protocol wire we tune (webtorrent's types do not name them). */
export interface TunableWire {
  peerExtendedHandshake?: { reqq?: number };
  destroyed?: boolean;
  /** Bytes of blocks received from this peer so far. */
  downloaded?: number;
  requests?: unknown[];
  peerChoking?: boolean;
  peerPieces?: { get(index: number): boolean };
  type?: string;
  downloadSpeed(bytes?: number): number;
  request(index: number, offset: number, length: number, cb?: (err: Error | null, block?: unknown) => void): void;
  keepAlive(): void;
  on(event: 'extended', cb: (ext: string) => void): void;
}

/** The parts of a webtorrent torrent we tune: its peers, pieces, reservations and request step. */
export interface TunableTorrent {
  _peers?: Map<string, { wire?: unknown; conn?: PeerConnection }>;
  wires: TunableWire[];
  pieces: Array<{ _chunks: number; _reservations?: number } | null>;
  _critical: boolean[];
  _reservations: Array<Array<TunableWire | null> | undefined>;
  _request(wire: TunableWire, index: number, hotswap: boolean): boolean;
  /** What to download, highest priority first. */
  _selections?: { length: number; get(i: number): { from: number; to: number; offset: number } };
  _updateWire?(wire: TunableWire): unknown;
}

interface PeerConnection {
  setNoDelay?: (on: boolean) => void;
  on?: (event: 'data', cb: (chunk: Uint8Array) => void) => void;
}

/** A BitTorrent `piece` message's head: length (4), id 7 (1), index (4), offset (4). */
const PIECE_HEAD_BYTES = 13;
const PIECE_ID = 7;
const MAX_BLOCK_BYTES = 128 * 1024;

/**
 * Per-peer tuning for a fast first byte, applied to each new connection:
 * - TCP_NODELAY: our small messages (interested, requests) otherwise wait ~40 ms for Nagle;
 * - a pipeline floor: webtorrent starts a new peer at 2 outstanding blocks and grows with measured
 *   speed, so the first piece needs several round trips; we start as if the peer did 1 MiB/s;
 * - a pipeline sized to the link (via `reqq`, which webtorrent honours): see pipelineLength;
 * - reached the way TCP's slow start reaches its window: see rampUp.
 */
export function tuneWire(torrent: TunableTorrent, wire: TunableWire): void {
  const peers = torrent._peers;
  for (const peer of peers?.values() ?? []) {
    if (peer.wire !== wire || !peer.conn) continue;
    peer.conn.setNoDelay?.(true);
    ackPromptly(peer.conn, wire);
  }
  const measured = wire.downloadSpeed.bind(wire);
  // The speedometer both records (with a byte count) and reads: keep both, floor the reading.
  wire.downloadSpeed = (bytes?: number) => Math.max(measured(bytes), MIB);
  const roundTrip = timeBlocks(wire);
  const cap = () => {
    const handshake = wire.peerExtendedHandshake;
    if (!handshake) return;
    const advertised = typeof handshake.reqq === 'number' && handshake.reqq > 0 ? handshake.reqq : Infinity;
    Object.defineProperty(handshake, 'reqq', {
      configurable: true,
      enumerable: true,
      get: () =>
        Math.min(advertised, pipelineLength(wire.downloadSpeed(), roundTrip()), rampUp(torrent, wire)) +
        placingAllowance,
    });
  };
  cap();
  wire.on('extended', (ext) => {
    if (ext === 'handshake') cap();
  });
}

/** Blocks to keep requested from a peer: one round trip of its speed and two, within MIN/MAX_REQUESTS_PER_PEER. */
export function pipelineLength(bytesPerSecond: number, roundTripMs: number | undefined): number {
  if (roundTripMs === undefined) return MAX_REQUESTS_PER_PEER; // nothing measured yet: fill the link
  const blocks = 2 + Math.ceil((bytesPerSecond * roundTripMs) / 1000 / BLOCK_BYTES);
  return Math.min(Math.max(blocks, MIN_REQUESTS_PER_PEER), MAX_REQUESTS_PER_PEER);
}

/**
 * A peer's pipeline ramps up like TCP's slow start: one block more outstanding than the peer has
 * delivered, doubling each round trip until pipelineLength caps it, except while blocks a reader waits
 * for are still unasked (a lone peer's first piece of 16-64 blocks is then asked in one go, as before).
 * webtorrent asks a new peer for one block and fills its whole pipeline with readahead the moment that
 * block arrives: on the slow-swarm bench (a read at 0, then a seek) every peer went from 1 to 5 blocks
 * 5-16 ms before the seek, and the seek's blocks waited behind all of them (4 blocks at 2 MB/s: 33 ms).
 * Asking the readahead together with the first block was worse: seeders answer as their disk reads
 * complete, out of order, and the first byte came later. Ramped: seek 71-84 -> 53-59 ms (peerflix 59-80
 * in the same runs); first byte unchanged, also from a lone peer with 256 KiB pieces.
 */
function rampUp(torrent: TunableTorrent, wire: TunableWire): number {
  if (readerWaitsForUnasked(torrent)) return Infinity;
  return 1 + Math.floor((wire.downloaded ?? 0) / BLOCK_BYTES);
}

/** The pieces a read waits on, as requestAtOnce last saw them, per torrent. */
const waitedOn = new WeakMap<TunableTorrent, { from: number; to: number }>();

function readerWaitsForUnasked(torrent: TunableTorrent): boolean {
  const range = waitedOn.get(torrent);
  if (!range) return false;
  for (let index = range.from; index <= range.to; index++) if (hasUnreserved(torrent, index)) return true;
  return false;
}

/**
 * The shortest time from a block's request to its arrival over the last ROUND_TRIP_SAMPLES blocks:
 * the peer's round trip plus one block's transfer, without the time spent queued behind others.
 */
function timeBlocks(wire: TunableWire): () => number | undefined {
  const samples: number[] = [];
  let next = 0;
  // Kept as samples arrive: webtorrent reads the pipeline (reqq) many times per block it asks.
  let shortest: number | undefined;
  const request = wire.request.bind(wire);
  wire.request = (index, offset, length, cb) => {
    const sent = performance.now();
    request(index, offset, length, (err, block) => {
      if (!err) {
        samples[next] = performance.now() - sent;
        next = (next + 1) % ROUND_TRIP_SAMPLES;
        shortest = Math.min(...samples);
      }
      cb?.(err, block);
    });
  };
  return () => shortest;
}

/**
 * WebTorrent peers (bittorrent-protocol) write a piece's 13-byte head and its 16 KiB block as two
 * writes, with Nagle on: the block waits in the peer's kernel until our ACK of the head, which Linux
 * delays up to 40 ms when we have nothing to send (measured: 43 ms for the first block after a seek,
 * every seek). A keep-alive (4 bytes, through the wire so it never splits one of our messages) sent
 * when a segment ends with such a head carries that ACK at once.
 */
function ackPromptly(conn: PeerConnection, wire: TunableWire): void {
  conn.on?.('data', (chunk) => {
    if (endsWithPieceHead(chunk)) wire.keepAlive();
  });
}

/** Whether a segment ends with the head of a piece message, its block not yet here. */
export function endsWithPieceHead(chunk: Uint8Array): boolean {
  const at = chunk.length - PIECE_HEAD_BYTES;
  if (at < 0 || chunk[at + 4] !== PIECE_ID) return false;
  const length = ((chunk[at]! << 24) | (chunk[at + 1]! << 16) | (chunk[at + 2]! << 8) | chunk[at + 3]!) >>> 0;
  return length > 9 && length <= 9 + MAX_BLOCK_BYTES;
}

/**
 * A piece a reader waits on (webtorrent marks it critical) is split between the peers that have it:
 * a peer may hold at most its share of the piece's blocks, so the others request the rest at once.
 * webtorrent gives every block of a piece to the first peer with room in its pipeline: on a swarm of
 * slow peers (2 MB/s each) a 256 KiB piece then takes 128 ms from one of them instead of ~16 ms from
 * eight. Web seeds fetch whole pieces and are left alone.
 */
export function shareCriticalPieces(torrent: TunableTorrent): void {
  const request = torrent._request.bind(torrent);
  torrent._request = (wire, index, hotswap) => {
    if (torrent._critical[index] && wire.type !== 'webSeed' && overShare(torrent, wire, index)) return false;
    return request(wire, index, hotswap);
  };
}

function overShare(torrent: TunableTorrent, wire: TunableWire, index: number): boolean {
  const blocks = torrent.pieces[index]?._chunks ?? 0;
  let holders = 0;
  for (const w of torrent.wires) if (!w.peerChoking && w.type !== 'webSeed' && w.peerPieces?.get(index)) holders++;
  if (holders <= 1 || blocks <= 1) return false;
  let mine = 0;
  for (const w of torrent._reservations[index] ?? []) if (w === wire) mine++;
  return mine >= Math.ceil(blocks / holders);
}

/**
 * A read's first pieces, requested now, one block per peer, least busy peers first, each peer one block
 * over its pipeline if it is full. webtorrent requests a block only when a peer has room, that is when one
 * of the blocks it already asked arrives: after a seek on a swarm of 2 MB/s peers the last blocks of the
 * piece under the reader were asked 40 ms late (traced), behind every peer's readahead.
 */
export function requestAtOnce(torrent: TunableTorrent, from: number, to: number): void {
  waitedOn.set(torrent, { from, to });
  const peers = torrent.wires.filter((w) => !w.destroyed && !w.peerChoking && w.type !== 'webSeed');
  for (let piece = from; piece <= to; piece++) {
    peers.sort((a, b) => (a.requests?.length ?? 0) - (b.requests?.length ?? 0));
    for (const wire of peers) {
      if (!torrent.pieces[piece]) break; // verified already
      if (!wire.peerPieces?.get(piece)) continue;
      placingAllowance = 1;
      try {
        if (!torrent._request(wire, piece, false) && !hasUnreserved(torrent, piece)) break;
      } finally {
        placingAllowance = 0;
      }
    }
  }
}

function hasUnreserved(torrent: TunableTorrent, index: number): boolean {
  const piece = torrent.pieces[index];
  return piece !== null && piece !== undefined && (piece._reservations ?? 0) < piece._chunks;
}

/**
 * A new peer's first block comes from the piece a reader waits on. webtorrent gives a peer that has sent
 * nothing yet one block, to see it is useful, but picks it from its lowest-priority selection, from the
 * end: the file's last piece, while the reader waits on the first. On a 40 ms swarm that is a round trip
 * per peer lost before the first byte. This asks the same single block, from the highest-priority
 * selection's first missing piece the peer has, and leaves every other case to webtorrent.
 */
export function probeWithWantedPiece(torrent: TunableTorrent): void {
  const update = torrent._updateWire?.bind(torrent);
  if (!update || !torrent._selections) return;
  torrent._updateWire = (wire) => {
    if (
      !wire.destroyed &&
      !wire.downloaded &&
      !wire.peerChoking &&
      wire.requests?.length === 0 &&
      wire.type !== 'webSeed' &&
      requestWanted(torrent, wire)
    )
      return;
    return update(wire);
  };
}

function requestWanted(torrent: TunableTorrent, wire: TunableWire): boolean {
  const selections = torrent._selections!;
  for (let i = 0; i < selections.length; i++) {
    const selection = selections.get(i);
    for (let piece = selection.from + selection.offset; piece <= selection.to; piece++) {
      if (wire.peerPieces?.get(piece) && torrent._request(wire, piece, torrent._critical[piece] === true)) return true;
    }
  }
  return false;
}
