import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

// Network namespaces for the slow-swarm benchmark: a bridge in the root namespace with
// 10.<a>.<b>.1/24, and per peer a namespace joined to it by a veth pair, each end shaped by
// `tc netem delay <oneWay> rate <rate>` (so the round trip is twice the delay and the rate holds
// both ways); on a kernel without netem, `tbf rate <rate>` and the delay is left to the caller. Everything is named after a random id and removed by remove(), also on SIGINT/SIGTERM
// and process exit.

export interface PeerNamespace {
  name: string;
  address: string;
}

export interface Lab {
  /** The bridge's address: reachable from every namespace and from this one. */
  hostAddress: string;
  peers: PeerNamespace[];
  /**
   * 'netem': delay and rate by the kernel on both veth ends. 'tbf': this kernel has no netem, so the
   * veths only get a token-bucket rate limit and the delay is the caller's (bench/delay-relay-process.ts).
   */
  shaping: 'netem' | 'tbf';
  remove(): void;
}

const IP = '/usr/sbin/ip';
const TC = '/usr/sbin/tc';

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')}: ${(r.error?.message ?? r.stderr ?? '').trim() || `exit ${r.status}`}`);
}
const quiet = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8' });

/** Why the lab cannot be built here, or undefined when it can (root and a working `ip netns`). */
export function labUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (ip netns, tc)';
  const probe = quiet(IP, ['netns', 'list']);
  if (probe.error || probe.status !== 0) return `ip netns failed: ${(probe.error?.message ?? probe.stderr).trim()}`;
  return undefined;
}

/** A private /24 not routed here yet: 10.<200..249>.<0..255>.0. */
function freeSubnet(): string {
  const routes = quiet(IP, ['-4', 'route', 'show']).stdout ?? '';
  for (let i = 0; i < 50; i++) {
    const net = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 256)}`;
    if (!routes.includes(`${net}.`)) return net;
  }
  throw new Error('no free 10.x.y.0/24 subnet found');
}

export function buildLab(options: { peers: number; oneWayDelayMs: number; rateMbit: number }): Lab {
  const id = randomBytes(2).toString('hex');
  const bridge = `tsb${id}br`;
  const net = freeSubnet();
  const peers: PeerNamespace[] = [];
  const veths: string[] = [];
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    for (const p of peers) {
      // Our own seeders, by pid: a namespace with a process left in it would keep its veth.
      const pids = (quiet(IP, ['netns', 'pids', p.name]).stdout ?? '').split(/\s+/).filter(Boolean);
      for (const pid of pids) quiet('/bin/kill', ['-9', pid]);
      quiet(IP, ['netns', 'del', p.name]);
    }
    for (const v of veths) quiet(IP, ['link', 'del', v]);
    quiet(IP, ['link', 'del', bridge]);
    process.off('exit', remove);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    remove();
    process.kill(process.pid, signal);
  };
  process.on('exit', remove);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const netem = [
    'root',
    'netem',
    'delay',
    `${options.oneWayDelayMs}ms`,
    'rate',
    `${options.rateMbit}mbit`,
    'limit',
    '10000',
  ];
  const tbf = ['root', 'tbf', 'rate', `${options.rateMbit}mbit`, 'burst', '32kb', 'latency', '200ms'];
  let shaping: Lab['shaping'] = 'netem';
  try {
    run(IP, ['link', 'add', 'name', bridge, 'type', 'bridge']);
    run(IP, ['addr', 'add', `${net}.1/24`, 'dev', bridge]);
    run(IP, ['link', 'set', bridge, 'up']);
    for (let i = 0; i < options.peers; i++) {
      const ns = `tsb${id}-${i}`;
      const veth = `tsb${id}v${i}`;
      const address = `${net}.${10 + i}`;
      run(IP, ['netns', 'add', ns]);
      peers.push({ name: ns, address });
      run(IP, ['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      veths.push(veth);
      run(IP, ['link', 'set', veth, 'master', bridge, 'up']);
      run(IP, ['-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
      run(IP, ['-n', ns, 'link', 'set', 'lo', 'up']);
      run(IP, ['-n', ns, 'link', 'set', 'eth0', 'up']);
      run(IP, ['-n', ns, 'route', 'add', 'default', 'via', `${net}.1`]);
      // Towards the peer; the first try tells whether this kernel has netem at all.
      if (shaping === 'netem' && quiet(TC, ['qdisc', 'add', 'dev', veth, ...netem]).status !== 0) {
        if (i > 0) throw new Error(`tc netem failed on ${veth} after working on the first veth`);
        shaping = 'tbf';
      }
      if (shaping === 'tbf') run(TC, ['qdisc', 'add', 'dev', veth, ...tbf]);
      run(TC, ['-n', ns, 'qdisc', 'add', 'dev', 'eth0', ...(shaping === 'netem' ? netem : tbf)]); // from the peer
    }
  } catch (err) {
    remove();
    throw err;
  }
  return { hostAddress: `${net}.1`, peers, shaping, remove };
}
