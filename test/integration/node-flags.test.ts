import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

// The server's node flags (V8's young-generation cap, see bench/README.md "Memory") live in three
// places that must agree: npm start, the Docker image's CMD and the systemd unit's ExecStart. The
// soak and the memory benchmark take them from npm start (bench/lib/soak-node-flags.ts).
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (file: string) => readFile(path.join(ROOT, file), 'utf8');

const flagsOf = (line: string | undefined, what: string): string[] => {
  const match = /\bnode"?((?:,?\s*"?--[^\s",]+"?)*),?\s*"?dist\/main\.js\b/.exec(line ?? '');
  if (!match) throw new Error(`${what} does not run node [flags] dist/main.js: ${line}`);
  return [...match[1]!.matchAll(/--[^\s",]+/g)].map((m) => m[0]);
};

describe('node flags of the server', () => {
  let start: string[];
  beforeAll(async () => {
    const pkg = JSON.parse(await read('package.json')) as { scripts: { start: string } };
    start = flagsOf(pkg.scripts.start, 'npm start');
  });

  it('npm start caps the young generation, with a flag this node accepts', async () => {
    expect(start).toContain('--max-semi-space-size=4');
    await expect(promisify(execFile)(process.execPath, [...start, '-e', '0'])).resolves.toBeDefined();
  });

  it('the Docker image runs the server with the same flags', async () => {
    const cmd = (await read('deploy/Dockerfile')).split('\n').find((l) => l.startsWith('CMD '));
    expect(flagsOf(cmd, 'the Dockerfile CMD')).toEqual(start);
  });

  it('the systemd unit runs the server with the same flags', async () => {
    const unit = await read('deploy/systemd/torrent-stream-server.service');
    const exec = unit.split('\n').find((l) => l.startsWith('ExecStart='));
    expect(flagsOf(exec, 'the unit ExecStart')).toEqual(start);
  });
});
