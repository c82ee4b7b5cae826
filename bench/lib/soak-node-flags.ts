import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './paths.js';

/**
 * The node flags `npm start` runs the server with: package.json's `scripts.start` ends in
 * `node <flags> dist/main.js` (the Dockerfile and the systemd unit carry the same flags, which
 * test/integration/node-flags.test.ts checks). The soak, whose process is meant to be our server as
 * users run it, runs with these too.
 */
export function serverNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    scripts?: { start?: string };
  };
  const match = /\bnode((?:\s+--[^\s]+)*)\s+dist\/main\.js\b/.exec(pkg.scripts?.start ?? '');
  if (!match) throw new Error('package.json scripts.start does not run `node [flags] dist/main.js`');
  return match[1]!.trim().split(/\s+/).filter(Boolean);
}

/** The environment `npm start` adds: jemalloc preloaded where it is installed (bin/jemalloc-path.sh). */
export function serverEnv(): { LD_PRELOAD: string } {
  const lib = execFileSync('sh', [path.join(REPO_ROOT, 'bin', 'jemalloc-path.sh')], { encoding: 'utf8' }).trim();
  return { LD_PRELOAD: lib };
}

/**
 * Whether this process already runs as `npm start` would run the server: its node flags, and its
 * preload. When not, runAgainAsServer runs this script once more that way (a process cannot preload itself).
 */
export function runsAsServer(): boolean {
  const { LD_PRELOAD } = serverEnv();
  return (
    serverNodeFlags().every((flag) => process.execArgv.includes(flag)) && (process.env.LD_PRELOAD ?? '') === LD_PRELOAD
  );
}

/** Runs this script again with npm start's flags and preload; exits with its status. */
export function runAgainAsServer(): never {
  const again = spawnSync(process.execPath, [...serverNodeFlags(), ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, ...serverEnv() },
  });
  process.exit(again.status ?? 1);
}
