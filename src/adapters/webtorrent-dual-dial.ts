import net from 'node:net';
import { Duplex } from 'node:stream';
// The very module object webtorrent's torrent.js dials uTP with (same path, so the same instance under
// Node and under jest's module registry). An empty object when utp-native failed to load.
// @ts-expect-error webtorrent ships no types
import webtorrentUtp from 'webtorrent/lib/utp.cjs';

/**
 * webtorrent 2.8 dials every IPv4 peer over uTP first and switches to TCP only after its three
 * reconnect backoffs (1 + 5 + 15 s, plus a 5 s connect timeout each): a TCP-only peer waited ~40 s
 * for its first byte. Turning uTP off instead loses every peer that only speaks uTP. So we make
 * webtorrent's uTP dial a race, the way libtorrent and Transmission behave in practice: TCP and uTP
 * to the same address at once; the first to connect carries the peer, the other is closed at once.
 * Incoming uTP and TCP are both accepted by webtorrent's own listeners.
 */

interface UtpModule {
  connect?: (port: number, host: string) => net.Socket;
  [RACED]?: boolean;
}
const RACED = Symbol.for('torrent-stream-server.dual-dial');
const utp = webtorrentUtp as UtpModule;

/** True when uTP is available (utp-native loaded); idempotent. */
export function installDualDial(): boolean {
  const utpConnect = utp.connect;
  if (typeof utpConnect !== 'function') return false;
  if (utp[RACED]) return true;
  const dialUtp = utpConnect.bind(utp);
  utp.connect = (port: number, host: string) =>
    new RacedConnection(port, host, [() => net.connect({ port, host }), () => dialUtp(port, host)]) as never;
  utp[RACED] = true;
  return true;
}

type Dialer = () => net.Socket;

/**
 * A socket-like duplex over whichever of its dialled sockets proves itself first. "Connected" is
 * not proof: a client with TCP switched off (libtorrent, qBittorrent's "uTP only") accepts the TCP
 * connection and closes it at the handshake. So the first socket to connect carries the traffic,
 * the others stay on standby until the remote's first bytes arrive; if the carrier closes before
 * that, a standby takes over and what was written so far (our handshake) is written to it again.
 */
export class RacedConnection extends Duplex {
  remoteAddress: string;
  remotePort: number;
  /** Which transport carries the connection ('tcp' | 'utp'); undefined until one connects. */
  transport: string | undefined;
  private carrier: net.Socket | undefined;
  private confirmed = false;
  private announced = false;
  private readonly pending = new Map<net.Socket, string>();
  private readonly standby: Array<{ socket: net.Socket; name: string }> = [];
  /** Everything written before the remote answered: replayed onto a standby that takes over. */
  private written: Buffer[] = [];
  private firstError: Error | undefined;
  private noDelay: boolean | undefined;
  /** A write made before any transport connected (webtorrent writes only after 'connect'; kept for safety). */
  private queued: { chunk: Buffer; callback: (err?: Error | null) => void } | undefined;

  constructor(port: number, host: string, dialers: readonly Dialer[], names: readonly string[] = ['tcp', 'utp']) {
    // Large buffers: a pause/resume cycle per 16 KiB chunk (the default) slowed block delivery measurably.
    super({ readableHighWaterMark: 1024 * 1024, writableHighWaterMark: 1024 * 1024, allowHalfOpen: false });
    this.remoteAddress = host;
    this.remotePort = port;
    dialers.forEach((dial, i) => {
      const socket = dial();
      const name = names[i] ?? String(i);
      this.pending.set(socket, name);
      socket.on('error', (err: Error) => this.lost(socket, err));
      socket.once('close', () => this.lost(socket, undefined));
      socket.once('connect', () => this.connected(socket, name));
    });
  }

  private connected(socket: net.Socket, name: string): void {
    this.pending.delete(socket);
    if (this.destroyed || this.confirmed) return quietlyDestroy(socket);
    if (this.carrier) {
      this.standby.push({ socket, name });
      return;
    }
    this.carry(socket, name);
  }

  /** net.Socket's: the peer tuning turns Nagle off (a seek's block requests must not wait 40 ms). */
  setNoDelay(noDelay = true): this {
    this.noDelay = noDelay;
    this.carrier?.setNoDelay?.(noDelay);
    return this;
  }

  private carry(socket: net.Socket, name: string): void {
    this.carrier = socket;
    this.transport = name;
    if (this.noDelay !== undefined) socket.setNoDelay?.(this.noDelay);
    socket.on('data', (chunk: Buffer) => {
      if (socket !== this.carrier) return;
      if (!this.confirmed) this.confirm();
      if (!this.push(chunk)) socket.pause();
    });
    socket.once('end', () => {
      if (socket === this.carrier && this.confirmed) this.push(null);
    });
    socket.on('drain', () => this.emit('carrier-drain'));
    for (const chunk of this.written) socket.write(chunk);
    const queued = this.queued;
    this.queued = undefined;
    if (queued) this.send(queued.chunk, queued.callback);
    if (!this.announced) {
      this.announced = true;
      this.emit('connect');
    }
  }

  /** The remote spoke on the carrier: it is the connection; the others go. */
  private confirm(): void {
    this.confirmed = true;
    this.written = [];
    for (const { socket } of this.standby.splice(0)) quietlyDestroy(socket);
    for (const socket of [...this.pending.keys()]) quietlyDestroy(socket);
    this.pending.clear();
  }

  /** `err` undefined: the socket closed. */
  private lost(socket: net.Socket, err: Error | undefined): void {
    if (err) this.firstError ??= err;
    if (this.pending.delete(socket) || this.removeStandby(socket)) {
      if (!this.carrier && this.pending.size === 0) this.destroy(this.failure());
      return;
    }
    if (socket !== this.carrier || this.destroyed) return;
    if (this.confirmed) return void this.destroy(err);
    // The carrier died before the remote said a word: the next transport takes over.
    this.carrier = undefined;
    const next = this.standby.shift();
    if (next) this.carry(next.socket, next.name);
    else if (this.pending.size === 0) this.destroy(this.failure());
  }

  private failure(): Error {
    return this.firstError ?? new Error(`could not connect to ${this.remoteAddress}:${this.remotePort}`);
  }

  private removeStandby(socket: net.Socket): boolean {
    const i = this.standby.findIndex((s) => s.socket === socket);
    if (i < 0) return false;
    this.standby.splice(i, 1);
    return true;
  }

  private send(chunk: Buffer, callback: (err?: Error | null) => void): void {
    const socket = this.carrier!;
    if (!this.confirmed) this.written.push(chunk);
    if (socket.write(chunk)) callback();
    else this.once('carrier-drain', () => callback());
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    if (this.carrier) this.send(chunk, callback);
    else this.queued = { chunk, callback };
  }

  override _read(): void {
    this.carrier?.resume();
  }

  override _final(callback: (err?: Error | null) => void): void {
    if (this.carrier) this.carrier.end(() => callback());
    else callback();
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    for (const socket of [this.carrier, ...this.pending.keys(), ...this.standby.map((s) => s.socket)])
      if (socket) quietlyDestroy(socket);
    this.pending.clear();
    this.standby.length = 0;
    const queued = this.queued;
    this.queued = undefined;
    queued?.callback(err ?? new Error('connection destroyed'));
    callback(err);
  }
}

function quietlyDestroy(socket: net.Socket): void {
  socket.on('error', () => undefined);
  socket.destroy();
}
