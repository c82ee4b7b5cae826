import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

// The server's node flags (V8's young-generation cap, see bench/README.md "Memory") and its allocator
// (jemalloc, preloaded) live in three places that must agree: npm start, the Docker image and the
// systemd unit. The soak and the memory benchmark take them from npm start (bench/lib/soak-node-flags.ts).
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

describe('the allocator of the server', () => {
  const jemallocPath = async () =>
    (await promisify(execFile)('sh', [path.join(ROOT, 'bin/jemalloc-path.sh')])).stdout.trim();

  it('npm start preloads what bin/jemalloc-path.sh finds, and node then runs on jemalloc', async () => {
    const pkg = JSON.parse(await read('package.json')) as { scripts: { start: string } };
    expect(pkg.scripts.start).toMatch(/LD_PRELOAD=\$\(sh bin\/jemalloc-path\.sh\) node /);
    const lib = await jemallocPath(); // CI installs libjemalloc2 (.ci/run)
    expect(lib).toMatch(/libjemalloc\.so\.2$/);
    const maps = await promisify(execFile)(
      process.execPath,
      ['-e', "process.stdout.write(require('fs').readFileSync('/proc/self/maps', 'utf8'))"],
      { env: { ...process.env, LD_PRELOAD: lib }, maxBuffer: 16 * 1024 * 1024 },
    );
    expect(maps.stdout).toContain('libjemalloc.so.2');
  });

  it('the Docker image installs jemalloc and preloads it from the path it links', async () => {
    const docker = await read('deploy/Dockerfile');
    const runtime = docker.slice(docker.indexOf('AS runtime'));
    expect(runtime).toMatch(/apt-get install[^\n]*\blibjemalloc2\b/);
    const linked = /ln -s "[^"]*libjemalloc\.so\.2" (\S+)/.exec(runtime)?.[1];
    expect(linked).toBeDefined();
    expect(runtime).toContain(`ENV LD_PRELOAD=${linked}\n`);
  });

  it('the systemd unit preloads jemalloc where Debian installs it', async () => {
    const unit = await read('deploy/systemd/torrent-stream-server.service');
    const preload = /^Environment=LD_PRELOAD=(\S+)$/m.exec(unit)?.[1];
    expect(preload).toBe('/usr/lib/x86_64-linux-gnu/libjemalloc.so.2');
    if (process.arch === 'x64') expect(preload).toBe(await jemallocPath());
  });
});
