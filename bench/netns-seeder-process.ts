import { readFileSync } from 'node:fs';
import WebTorrent from 'webtorrent';

// Child process for the slow-swarm benchmark, started inside a network namespace with
// `ip netns exec <ns> node netns-seeder-process.js <file.torrent> <data folder> <port>`: one WebTorrent
// client seeding a torrent whose data is already on disk (no re-hash: skipVerify), announcing to the
// tracker named in the torrent, on <port>. Prints one JSON line when seeding; exits on SIGTERM or when stdin closes.

const [torrentPath, dataDir, port] = process.argv.slice(2);
if (!torrentPath || !dataDir || !port) {
  console.log(
    JSON.stringify({ ready: false, error: 'usage: netns-seeder-process <file.torrent> <data folder> <port>' }),
  );
  process.exit(2);
}

const client = new WebTorrent({
  dht: false,
  lsd: false,
  utp: false,
  natUpnp: false,
  natPmp: false,
  webSeeds: false,
  torrentPort: Number(port), // every namespace has its own ports: all seeders use the same
});
client.on('error', (err) => {
  console.log(JSON.stringify({ ready: false, error: String(err) }));
  process.exit(1);
});
// skipVerify is in webtorrent 2.8.5's Torrent (lib/torrent.js) but not in its typings.
const torrent = client.add(readFileSync(torrentPath), { path: dataDir, skipVerify: true } as { path: string });
const ready = () => console.log(JSON.stringify({ ready: true, infoHash: torrent.infoHash }));
torrent.once('ready', () => (torrent.done ? ready() : torrent.once('done', ready)));

const stop = () => client.destroy(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.stdin.on('data', () => undefined);
process.stdin.once('end', stop); // the bench died: never outlive it
