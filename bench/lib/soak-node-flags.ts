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
