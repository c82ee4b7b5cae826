import net from 'node:net';
import type { AddressInfo } from 'node:net';
// @ts-expect-error webtorrent ships no types
import utp from 'webtorrent/lib/utp.cjs';
import { RacedConnection, installDualDial } from '../../src/adapters/webtorrent-dual-dial.js';

// The raced dial under webtorrent's uTP connect, on real sockets: TCP and uTP (or two TCP servers
// standing in for them) at once; a transport that accepts and then hangs up before the remote says
// a word (libtorrent with TCP off) hands over to the other, with what we wrote replayed.

type Server = { port: number; received: () => string; close: () => Promise<void> };

/** A TCP server: 'answer' replies "hello:<what it got>" once it got 4 bytes; 'hang-up' accepts and closes. */
async function tcpServer(mode: 'answer' | 'hang-up'): Promise<Server> {
  let received = '';
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    if (mode === 'hang-up') return void socket.destroy();
    socket.on('data', (d) => {
      received += d.toString();
      if (received.length >= 4) socket.write(`hello:${received}`);
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    received: () => received,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function talk(conn: RacedConnection, message: string): Promise<string> {
  return new Promise((resolve, reject) => {
    conn.once('connect', () => conn.write(message));
    conn.once('data', (d: Buffer) => resolve(d.toString()));
    conn.once('error', reject);
  });
}

const dialer = (port: number) => () => net.connect({ port, host: '127.0.0.1' });
/** A loopback port nobody listens on (TCP refuses at once). */
async function closedPort(): Promise<number> {
  const s = await tcpServer('answer');
  await s.close();
  return s.port;
}

describe('RacedConnection', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  test('the first transport that connects carries the traffic; the other is dropped once the remote speaks', async () => {
    const good = await tcpServer('answer');
    const other = await tcpServer('answer');
    servers.push(good, other);
    const conn = new RacedConnection(good.port, '127.0.0.1', [dialer(good.port), dialer(other.port)], ['a', 'b']);
    const reply = await talk(conn, 'ping');
    expect(['hello:ping']).toContain(reply);
    expect(['a', 'b']).toContain(conn.transport);
    conn.destroy();
  });

  test('a transport that accepts and hangs up before a word hands over to the other, our bytes replayed', async () => {
    const hangUp = await tcpServer('hang-up');
    const good = await tcpServer('answer');
    servers.push(hangUp, good);
    // The hang-up server is dialled first and is as fast: it wins the connect, then closes.
    const conn = new RacedConnection(
      hangUp.port,
      '127.0.0.1',
      [dialer(hangUp.port), dialer(good.port)],
      ['tcp', 'utp'],
    );
    expect(await talk(conn, 'ping')).toBe('hello:ping');
    expect(conn.transport).toBe('utp');
    expect(good.received()).toBe('ping');
    conn.destroy();
  });

  test('when every transport fails the connection errors and closes (webtorrent then retries with backoff)', async () => {
    const a = await closedPort();
    const b = await closedPort();
    const conn = new RacedConnection(a, '127.0.0.1', [dialer(a), dialer(b)]);
    const closed = new Promise((resolve) => conn.once('close', resolve));
    await expect(talk(conn, 'ping')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await closed;
  });
});

describe("webtorrent's uTP connect, raced", () => {
  test('reaches a peer that listens only on uTP (nothing on TCP at that port)', async () => {
    expect(installDualDial()).toBe(true);
    const accepted: net.Socket[] = [];
    const server = utp.createServer((socket: net.Socket) => {
      accepted.push(socket);
      socket.on('data', (d: Buffer) => socket.write(`utp:${d.toString()}`));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, resolve));
    const port: number = server.address().port;
    try {
      const conn = utp.connect(port, '127.0.0.1') as RacedConnection;
      expect(conn).toBeInstanceOf(RacedConnection);
      expect(await talk(conn, 'ping')).toBe('utp:ping');
      expect(conn.transport).toBe('utp');
      conn.destroy();
    } finally {
      // utp-native's close waits for every accepted connection to end.
      for (const socket of accepted) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  test('reaches a TCP-only peer over TCP', async () => {
    installDualDial();
    const tcp = await tcpServer('answer');
    try {
      const conn = utp.connect(tcp.port, '127.0.0.1') as RacedConnection;
      expect(await talk(conn, 'ping')).toBe('hello:ping');
      expect(conn.transport).toBe('tcp');
      conn.destroy();
    } finally {
      await tcp.close();
    }
  });
});
