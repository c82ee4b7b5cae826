import {
  pipelineLength,
  probeWithWantedPiece,
  requestAtOnce,
  shareCriticalPieces,
  tuneWire,
  type TunableTorrent,
  type TunableWire,
} from '../../src/adapters/webtorrent-wires.js';

// How many blocks we keep requested from a peer, and how a critical piece is split between peers,
// on objects shaped like webtorrent's (its torrent and wires carry these fields).
const MIB = 1024 * 1024;

test('the pipeline is one round trip of the peer and two blocks, within 4..48 blocks', () => {
  expect(pipelineLength(MIB, undefined)).toBe(48); // nothing measured yet: fill the link
  expect(pipelineLength(2_000_000, 48)).toBe(8); // a 2 MB/s peer 40 ms away: ~0.1 MiB in flight
  expect(pipelineLength(100_000_000, 2)).toBe(15); // loopback
  expect(pipelineLength(1_000_000_000, 50)).toBe(48);
  expect(pipelineLength(MIB, 0.1)).toBe(4);
});

function fakeSwarm(peers: number, blocks: number) {
  const wires = Array.from({ length: peers }, () => ({ peerChoking: false, peerPieces: { get: () => true } }));
  const granted: Array<{ wire: number; index: number }> = [];
  const torrent = {
    wires,
    pieces: [{ _chunks: blocks }, { _chunks: blocks }],
    _critical: [true, false],
    _reservations: [[], []] as Array<Array<unknown>>,
    _request(wire: unknown, index: number, _hotswap?: boolean) {
      const r = this._reservations[index]!;
      if (r.length >= blocks) return false;
      r.push(wire);
      granted.push({ wire: wires.indexOf(wire as (typeof wires)[0]), index });
      return true;
    },
  };
  shareCriticalPieces(torrent as unknown as TunableTorrent);
  const ask = (wire: number, index: number) => {
    let n = 0;
    while (torrent._request(wires[wire] as unknown as TunableWire, index, false)) n++;
    return n;
  };
  return { ask, granted, wires };
}

test('a critical piece is split between the peers that have it; other pieces are not', () => {
  const swarm = fakeSwarm(4, 8);
  expect(swarm.ask(0, 0)).toBe(2); // its share of 8 blocks among 4 peers
  expect(swarm.ask(1, 0)).toBe(2);
  expect(swarm.ask(2, 0)).toBe(2);
  expect(swarm.ask(3, 0)).toBe(2);
  expect(swarm.ask(0, 1)).toBe(8); // not critical: the first peer takes it all, as webtorrent does
});

test('a lone peer, or one whose peers choke us, takes the whole critical piece', () => {
  expect(fakeSwarm(1, 8).ask(0, 0)).toBe(8);
  const choked = fakeSwarm(3, 8);
  choked.wires[1]!.peerChoking = true;
  choked.wires[2]!.peerChoking = true;
  expect(choked.ask(0, 0)).toBe(8);
});

test("a new peer's probe block comes from the top selection's first missing piece; anything else is webtorrent's", () => {
  const asked: Array<{ index: number; hotswap: boolean }> = [];
  const updated: unknown[] = [];
  const selections = [
    { from: 40, to: 43, offset: 1 }, // a reader's window (highest priority), piece 40 already had
    { from: 0, to: 99, offset: 0 }, // the whole torrent
  ];
  const torrent = {
    wires: [],
    pieces: [],
    _critical: Object.assign([], { 41: true }) as boolean[],
    _reservations: [],
    _selections: { length: selections.length, get: (i: number) => selections[i]! },
    _request(_wire: unknown, index: number, hotswap: boolean) {
      asked.push({ index, hotswap });
      return true;
    },
    _updateWire(wire: unknown) {
      updated.push(wire);
    },
  };
  probeWithWantedPiece(torrent as unknown as TunableTorrent);
  const wire = (over: object) =>
    ({
      peerChoking: false,
      downloaded: 0,
      requests: [],
      peerPieces: { get: () => true },
      ...over,
    }) as unknown as TunableWire;

  torrent._updateWire(wire({}));
  expect(asked).toEqual([{ index: 41, hotswap: true }]);
  expect(updated).toHaveLength(0);

  for (const other of [{ downloaded: 16384 }, { peerChoking: true }, { requests: [{}] }, { type: 'webSeed' }]) {
    torrent._updateWire(wire(other));
  }
  expect(asked).toHaveLength(1);
  expect(updated).toHaveLength(4);

  // A peer with none of the wanted pieces: webtorrent decides.
  torrent._updateWire(wire({ peerPieces: { get: () => false } }));
  expect(updated).toHaveLength(5);
});

/** Peers shaped like webtorrent wires, tuned by tuneWire, each with `queued` blocks already asked. */
function tunedPeers(torrent: TunableTorrent, queued: number[]) {
  return queued.map((n, i) => {
    const wire = {
      id: i,
      peerChoking: false,
      peerPieces: { get: () => true },
      requests: Array.from({ length: n }),
      downloaded: MIB, // past the ramp-up
      peerExtendedHandshake: {} as { reqq?: number },
      downloadSpeed: () => 0,
      request: () => undefined,
      keepAlive: () => undefined,
      on: () => undefined,
    };
    tuneWire(torrent, wire as unknown as TunableWire);
    return wire;
  });
}

test("a read's first pieces are asked at once, a block per peer, least busy first, one over a full pipeline", () => {
  const asked: Array<{ peer: number; piece: number; room: number }> = [];
  const torrent = {
    wires: [] as unknown[],
    pieces: [{ _chunks: 4, _reservations: 0 }, { _chunks: 2, _reservations: 0 }, null],
    _critical: [],
    _reservations: [],
    _request(wire: { id: number; requests: unknown[]; peerExtendedHandshake: { reqq?: number } }, index: number) {
      const piece = this.pieces[index]!;
      const room = wire.peerExtendedHandshake.reqq! - wire.requests.length; // as webtorrent's pipeline check
      if (room <= 0 || piece._reservations >= piece._chunks) return false;
      piece._reservations++;
      wire.requests.push(index);
      asked.push({ peer: wire.id, piece: index, room });
      return true;
    },
  };
  // Pipelines of 48 (nothing measured yet): peer 0 full, the others with room.
  const peers = tunedPeers(torrent as unknown as TunableTorrent, [48, 10, 3, 20, 5]);
  peers[4]!.peerChoking = true; // choked: never asked
  torrent.wires = peers;
  requestAtOnce(torrent as unknown as TunableTorrent, 0, 2);
  expect(asked.filter((a) => a.piece === 0).map((a) => a.peer)).toEqual([2, 1, 3, 0]); // least busy first
  expect(asked.find((a) => a.peer === 0)!.room).toBe(1); // a full pipeline takes one more, only now
  expect(asked.filter((a) => a.piece === 1).map((a) => a.peer)).toEqual([2, 1]);
  expect(asked.some((a) => a.piece === 2)).toBe(false); // verified already
  expect(peers[0]!.peerExtendedHandshake.reqq).toBe(48); // the allowance is gone afterwards
});

test('a new peer ramps up like slow start: one block over what it delivered, unless a read waits for unasked blocks', () => {
  const piece = { _chunks: 16, _reservations: 0 };
  const torrent = {
    wires: [] as unknown[],
    pieces: [piece],
    _critical: [],
    _reservations: [],
    _request: () => false, // nothing gets reserved here
  };
  const [peer] = tunedPeers(torrent as unknown as TunableTorrent, [0]);
  const reqq = () => peer!.peerExtendedHandshake.reqq;
  peer!.downloaded = 0;
  expect(reqq()).toBe(1);
  peer!.downloaded = 3 * 16 * 1024;
  expect(reqq()).toBe(4);
  peer!.downloaded = MIB;
  expect(reqq()).toBe(48); // ramped: the link's pipeline caps it

  peer!.downloaded = 0;
  requestAtOnce(torrent as unknown as TunableTorrent, 0, 0); // a read waits on piece 0, 16 blocks unasked
  expect(reqq()).toBe(48);
  piece._reservations = 16; // all asked: readahead ramps again
  expect(reqq()).toBe(1);
});
