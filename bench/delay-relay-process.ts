import net from 'node:net';

// Child process for the slow-swarm benchmark when the kernel has no netem (tc's "Specified qdisc kind
// is unknown"): per seeder a TCP relay on <listen host>:0 that forwards to the seeder through its
// rate-limited veth (tbf) and holds every chunk `delayMs` in each direction, in order, so the
// application sees the round trip of a distant peer. Prints {"ports": [...]} once listening.
//   node delay-relay-process.js '{"listenHost": "...", "delayMs": 20, "targets": [{"host": "...", "port": 6881}]}'

interface RelayRequest {
  listenHost: string;
  delayMs: number;
  targets: Array<{ host: string; port: number }>;
}

const request = JSON.parse(process.argv[2] ?? '{}') as RelayRequest;

/** Writes what `from` sends to `to`, each chunk `delayMs` after it arrived. */
function delayedPipe(from: net.Socket, to: net.Socket, delayMs: number): void {
  const queue: Array<{ at: number; chunk: Buffer }> = [];
  let timer: NodeJS.Timeout | undefined;
  const drain = () => {
    timer = undefined;
    const now = performance.now();
    while (queue.length > 0 && queue[0]!.at <= now) to.write(queue.shift()!.chunk);
    if (queue.length > 0) timer = setTimeout(drain, Math.max(0, queue[0]!.at - now));
    else if (from.readableEnded) to.end();
  };
  from.on('data', (chunk: Buffer) => {
    queue.push({ at: performance.now() + delayMs, chunk });
    timer ??= setTimeout(drain, delayMs);
  });
  from.on('end', () => {
    if (queue.length === 0 && !timer) to.end();
  });
}

const servers = request.targets.map(
  (target) =>
    new Promise<number>((resolve, reject) => {
      // No Nagle on either side: a router on a real path forwards a 17-byte request at once.
      const server = net.createServer({ noDelay: true }, (client) => {
        const upstream = net.connect({ port: target.port, host: target.host, noDelay: true });
        const close = () => {
          client.destroy();
          upstream.destroy();
        };
        client.on('error', close).on('close', close);
        upstream.on('error', close).on('close', close);
        delayedPipe(client, upstream, request.delayMs);
        delayedPipe(upstream, client, request.delayMs);
      });
      server.once('error', reject);
      server.listen(0, request.listenHost, () => resolve((server.address() as net.AddressInfo).port));
    }),
);

Promise.all(servers).then(
  (ports) => console.log(JSON.stringify({ ports })),
  (err) => {
    console.log(JSON.stringify({ error: String(err) }));
    process.exit(1);
  },
);
process.once('SIGTERM', () => process.exit(0));
process.stdin.on('data', () => undefined);
process.stdin.once('end', () => process.exit(0)); // the bench died: never outlive it
