import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
// @ts-expect-error create-torrent ships no types
import createTorrent from 'create-torrent';
import { parseTorrentFile } from '../src/domain/torrent-input.js';
import { bencode } from '../test/fixtures/bencode.js';
import { ours, peerflixServer, webtorrentServer, type Contender } from './lib/contenders.js';
import { buildLab, labUnavailable, type Lab } from './lib/netns.js';
import { timedRange, withTimeout } from './lib/net.js';
import { median } from './lib/stats.js';
import { benchScript } from './lib/paths.js';
import type { Seeder } from './lib/seeder.js';

// A slow, realistic swarm (issue 11): `peers` WebTorrent seeders, each in its own network namespace
// behind `tc netem delay <rtt/2> rate <rate>` on both ends of its veth (or, on a kernel without
// netem, `tbf rate <rate>` plus a relay that adds the delay), one tracker on the bridge.
// Per contender and trial (a fresh instance each): add -> first byte of 64 KiB at 0, a 64 KiB seek at
// 70 %; medians over `trials`, the contenders' order rotated each trial (the first one to reach the
// seeders meets them colder). The first trial then plays from the start at `bitrateMbit` for
// `playSeconds`, counting rebuffers.

export interface SlowSwarmOptions {
  peers: number;
  fileMiB: number;
  rttMs: number;
  /** Per peer, each way. */
  rateMbit: number;
  bitrateMbit: number;
  playSeconds: number;
  /** Fresh instances per contender; the figures are their medians. */
  trials: number;
}

export interface PlaybackResult {
  /** From the GET to the first body byte. */
  startupMs: number;
  /** Waits over REBUFFER_MS for bytes the player should already have played. */
  rebuffers: number;
  /** All waits after the start, rebuffers or not. */
  stallMs: number;
  longestStallMs: number;
  mibReceived: number;
  playedS: number;
}

export interface SlowSwarmRow {
  contender: string;
  metadataMs: number;
  /** GET 64 KiB at 0, sent once metadata is known. */
  firstByteMs: number;
  addToFirstByteMs: number;
  seekMs: number;
  playback?: PlaybackResult;
  /** Each trial's figures (the row holds their medians). */
  trials?: Array<{ metadataMs: number; firstByteMs: number; seekMs: number }>;
  error?: string;
}

export interface SlowSwarmResult {
  settings: SlowSwarmOptions;
  /** Set when the scenario could not run here (not root, no `ip netns`, ...). */
  skipped?: string;
  seedersUp: number;
  /** How the delay and rate were made. */
  shaping?: string;
  rows: SlowSwarmRow[];
}

const RANGE = 64 * 1024;
const REBUFFER_MS = 500;
/** The player reads ahead at most this much, like a player's buffer, then pauses the socket. */
const READ_AHEAD = 8 * 2 ** 20;
const MIB = 2 ** 20;

export async function slowSwarmBench(options: SlowSwarmOptions): Promise<SlowSwarmResult> {
  const result: SlowSwarmResult = { settings: options, seedersUp: 0, rows: [] };
  const why = labUnavailable();
  if (why) return { ...result, skipped: why };
  const cleanups: Array<() => Promise<unknown> | void> = [];
  try {
    let lab: Lab;
    try {
      lab = buildLab({ peers: options.peers, oneWayDelayMs: options.rttMs / 2, rateMbit: options.rateMbit });
    } catch (err) {
      return { ...result, skipped: `could not build the namespaces: ${(err as Error).message.slice(0, 200)}` };
    }
    cleanups.push(() => lab.remove());
    const swarm = await startSlowSwarm(lab, options, cleanups);
    result.shaping =
      lab.shaping === 'netem' ? 'tc netem (delay + rate)' : 'tc tbf (rate) + delay relay (this kernel has no netem)';
    result.seedersUp = swarm.seedersUp;
    process.stdout.write(`${swarm.seedersUp}/${options.peers} seeders up `);
    const contenders = [ours, webtorrentServer, peerflixServer];
    const runs = new Map<string, SlowSwarmRow[]>(contenders.map((c) => [c.name, []]));
    for (let trial = 0; trial < options.trials; trial++) {
      for (let k = 0; k < contenders.length; k++) {
        const contender = contenders[(k + trial) % contenders.length]!;
        const row = await once(contender, swarm.seeder, options, trial === 0);
        runs.get(contender.name)!.push(row);
        process.stdout.write(row.error ? 'x' : '.');
      }
    }
    process.stdout.write('\n');
    result.rows = contenders.map((c) => medianRow(c.name, runs.get(c.name)!));
    return result;
  } finally {
    for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
  }
}

const SEEDER_PORT = 6881; // the same in every namespace: each has its own ports

async function startSlowSwarm(
  lab: Lab,
  options: SlowSwarmOptions,
  cleanups: Array<() => Promise<unknown> | void>,
): Promise<{ seeder: Seeder; seedersUp: number }> {
  const name = 'Slow Swarm';
  const fileName = 'slow-movie.mp4';
  const data = randomBytes(options.fileMiB * MIB);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tss-bench-slow-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await mkdir(path.join(dir, name));
  await writeFile(path.join(dir, name, fileName), data);

  // The relays: every contender reaches seeder i through relay i (bench/delay-relay-process.ts),
  // which holds each chunk rtt/2 each way when the kernel could not (no netem) and 0 ms otherwise.
  const relayDelayMs = lab.shaping === 'netem' ? 0 : options.rttMs / 2;
  const relay = spawn(
    process.execPath,
    [
      ...process.execArgv,
      benchScript('delay-relay-process'),
      JSON.stringify({
        listenHost: lab.hostAddress,
        delayMs: relayDelayMs,
        targets: lab.peers.map((p) => ({ host: p.address, port: SEEDER_PORT })),
      }),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  relay.stdin!.on('error', () => undefined);
  cleanups.push(() => stopChild(relay));
  const { ports } = await firstJsonLine<{ ports: number[] }>(relay, 'the delay relay');

  // A minimal HTTP tracker on the bridge: seeders (from their namespaces) get no peers and are
  // counted; everyone else gets the relays, compact.
  const announcedFrom = new Set<string>();
  const compact = Buffer.concat(
    ports.map((port) => {
      const b = Buffer.alloc(6);
      lab.hostAddress.split('.').forEach((octet, i) => b.writeUInt8(Number(octet), i));
      b.writeUInt16BE(port, 4);
      return b;
    }),
  );
  const seederAddresses = new Set(lab.peers.map((p) => p.address));
  const tracker = http.createServer((req, res) => {
    const from = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const isSeeder = seederAddresses.has(from);
    if (isSeeder) announcedFrom.add(from);
    res.end(bencode({ interval: 60, 'min interval': 30, peers: isSeeder ? Buffer.alloc(0) : compact }));
  });
  await new Promise<void>((resolve, reject) => {
    tracker.once('error', reject);
    tracker.listen(0, lab.hostAddress, () => resolve());
  });
  cleanups.push(() => {
    tracker.closeAllConnections();
    return new Promise<void>((resolve) => tracker.close(() => resolve()));
  });
  const trackerUrl = `http://${lab.hostAddress}:${(tracker.address() as AddressInfo).port}/announce`;
  const torrentFile: Buffer = await new Promise((resolve, reject) =>
    createTorrent(path.join(dir, name), { name, announceList: [[trackerUrl]] }, (err: Error | null, buf: Buffer) =>
      err ? reject(err) : resolve(buf),
    ),
  );
  const torrentPath = path.join(dir, 'slow.torrent');
  await writeFile(torrentPath, torrentFile);
  const { infoHash } = await parseTorrentFile(torrentFile);

  const children = lab.peers.map((peer) =>
    spawn(
      '/usr/sbin/ip',
      [
        'netns',
        'exec',
        peer.name,
        process.execPath,
        ...process.execArgv,
        benchScript('netns-seeder-process'),
        torrentPath,
        dir,
        String(SEEDER_PORT),
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    ),
  );
  for (const child of children) {
    child.stdin!.on('error', () => undefined);
    cleanups.push(() => stopChild(child));
  }
  const up = await Promise.all(
    children.map((c) =>
      firstJsonLine(c, 'a namespace seeder').then(
        () => true,
        () => false,
      ),
    ),
  );
  const announced = async () => {
    while (announcedFrom.size < up.filter(Boolean).length) await new Promise((r) => setTimeout(r, 100));
  };
  await withTimeout(announced(), 20_000, 'the seeders announcing').catch(() => undefined);
  return {
    seedersUp: announcedFrom.size,
    seeder: {
      infoHash,
      magnetUri: `magnet:?xt=urn:btih:${infoHash}&dn=${encodeURIComponent(name)}&tr=${encodeURIComponent(trackerUrl)}`,
      trackerUrl,
      torrentFile: torrentFile.toString('base64'),
      filePath: `${name}/${fileName}`,
      data,
      stop: async () => undefined,
    },
  };
}

/** The child's first stdout line that is JSON; a `{ready: false}` or `{error}` line rejects. */
function firstJsonLine<T>(child: ChildProcess, what: string): Promise<T> {
  const lines = createInterface({ input: child.stdout! });
  return withTimeout(
    new Promise<T>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`${what} exited with ${code}`)));
      lines.on('line', (line) => {
        if (!line.startsWith('{')) return;
        const m = JSON.parse(line) as T & { ready?: boolean; error?: string };
        if (m.error !== undefined || m.ready === false) reject(new Error(`${what}: ${m.error}`));
        else resolve(m);
      });
    }),
    60_000,
    what,
  ).finally(() => {
    lines.close();
    child.stdout!.resume();
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await withTimeout(exited, 5000, 'stopping a seeder').catch(() => child.kill('SIGKILL'));
}

/** One row of medians over a contender's clean trials; the playback of the trial that played. */
function medianRow(contender: string, rows: SlowSwarmRow[]): SlowSwarmRow {
  const clean = rows.filter((r) => !r.error);
  const mid = (pick: (r: SlowSwarmRow) => number) => (clean.length ? median(clean.map(pick)) : NaN);
  return {
    contender,
    metadataMs: mid((r) => r.metadataMs),
    firstByteMs: mid((r) => r.firstByteMs),
    addToFirstByteMs: mid((r) => r.addToFirstByteMs),
    seekMs: mid((r) => r.seekMs),
    playback: rows.find((r) => r.playback)?.playback,
    trials: clean.map((r) => ({ metadataMs: r.metadataMs, firstByteMs: r.firstByteMs, seekMs: r.seekMs })),
    error: rows.find((r) => r.error)?.error,
  };
}

async function once(
  contender: Contender,
  seeder: Seeder,
  o: SlowSwarmOptions,
  withPlayback: boolean,
): Promise<SlowSwarmRow> {
  const row: SlowSwarmRow = {
    contender: contender.name,
    metadataMs: NaN,
    firstByteMs: NaN,
    addToFirstByteMs: NaN,
    seekMs: NaN,
  };
  let opened;
  try {
    opened = await contender.open(seeder);
    row.metadataMs = opened.metadataMs;
    const check = async (start: number) => {
      const res = await timedRange(opened!.url, start, start + RANGE - 1);
      if (res.status !== 206 || !res.body.equals(seeder.data.subarray(start, start + RANGE)))
        throw new Error(`wrong answer at ${start}: status ${res.status}, ${res.body.length} bytes`);
      return res.firstByteMs;
    };
    row.firstByteMs = await check(0);
    row.addToFirstByteMs = row.metadataMs + row.firstByteMs;
    row.seekMs = await check(Math.floor(seeder.data.length * 0.7));
    if (withPlayback)
      row.playback = await play(opened.url, seeder.data, (o.bitrateMbit * 1e6) / 8, o.playSeconds * 1000);
  } catch (err) {
    row.error = (err as Error).message.slice(0, 200);
  } finally {
    await opened?.close().catch(() => undefined);
  }
  return row;
}

/**
 * A player: GET bytes=0-, playback starts at the first byte and consumes `bytesPerS`; when the
 * played position catches up with what arrived it waits (a stall; over REBUFFER_MS, a rebuffer).
 * Reads at most READ_AHEAD ahead of the play position. Every byte is compared with the file.
 */
function play(url: string, data: Buffer, bytesPerS: number, durationMs: number): Promise<PlaybackResult> {
  return new Promise((resolve, reject) => {
    const began = performance.now();
    let received = 0;
    let played = 0;
    let firstAt = NaN;
    let stallSince = NaN;
    let stallMs = 0;
    let longest = 0;
    let rebuffers = 0;
    let last = NaN;
    let settled = false;
    let response: http.IncomingMessage | undefined;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearInterval(tick);
      req.destroy();
      if (err) return reject(err);
      resolve({
        startupMs: firstAt - began,
        rebuffers,
        stallMs,
        longestStallMs: longest,
        mibReceived: received / MIB,
        playedS: played / bytesPerS,
      });
    };
    const endStall = (now: number) => {
      if (Number.isNaN(stallSince)) return;
      const waited = now - stallSince;
      stallMs += waited;
      longest = Math.max(longest, waited);
      if (waited > REBUFFER_MS) rebuffers++;
      stallSince = NaN;
    };
    const req = http.get(url, { headers: { Range: 'bytes=0-' }, agent: false }, (res) => {
      response = res;
      if (res.statusCode !== 206) return finish(new Error(`playback answered ${res.statusCode}`));
      res.on('data', (chunk: Buffer) => {
        if (!chunk.equals(data.subarray(received, received + chunk.length)))
          return finish(new Error(`playback: wrong bytes at ${received}`));
        if (Number.isNaN(firstAt)) firstAt = last = performance.now();
        received += chunk.length;
        if (received - played > READ_AHEAD) res.pause();
      });
      res.on('end', () => (received < data.length ? finish(new Error('playback: short body')) : undefined));
      res.on('error', (err) => finish(err));
    });
    req.on('error', (err) => finish(err));
    const tick = setInterval(() => {
      const now = performance.now();
      if (now - began > durationMs + 30_000) return finish(new Error('playback: no first byte in 30 s'));
      if (Number.isNaN(firstAt)) return;
      if (now - firstAt >= durationMs || played >= data.length) {
        endStall(now);
        return finish();
      }
      const want = played + (bytesPerS * (now - last)) / 1000;
      last = now;
      if (want <= received) {
        endStall(now);
        played = want;
      } else {
        played = received;
        if (Number.isNaN(stallSince)) stallSince = now;
      }
      if (received - played < READ_AHEAD / 2) response?.resume();
    }, 20);
  });
}
