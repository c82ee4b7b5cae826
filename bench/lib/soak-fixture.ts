import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { prng } from './stats.js';

const MIB = 1024 * 1024;

/**
 * Size of soak torrent `index`: `fileMiB` MiB minus a few odd bytes, so that no file ends on a
 * piece boundary and every short last piece gets read too.
 */
export const soakFileSize = (fileMiB: number, index: number): number => fileMiB * MIB - 12_345 * (index + 1);

/**
 * The bytes of soak torrent `index` for `seed`: a pure function of (seed, index, size), so the client
 * process regenerates the very file the seeder seeds without copying it around, and a run reproduces.
 * Words are written in the machine's byte order (little-endian everywhere this runs).
 */
export function soakFixture(seed: number, index: number, size: number): Buffer {
  const next = prng((seed + Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const words = new Uint32Array(Math.ceil(size / 4));
  for (let i = 0; i < words.length; i++) words[i] = Math.floor(next() * 4294967296);
  return Buffer.from(words.buffer, 0, size);
}

/**
 * Writes soak torrent `index`'s file from a short-lived child process. Building it here would leave
 * the soak's process (meant to be our server alone) with the allocator's memory of ten 32 MiB
 * buffers: measured, ~40-75 MiB of RSS that glibc keeps after they are freed, counted as the server's.
 */
export async function writeSoakFixtureApart(seed: number, index: number, size: number, file: string): Promise<void> {
  const script = [
    `import { writeFileSync } from 'node:fs';`,
    `import { soakFixture } from ${JSON.stringify(import.meta.url)};`,
    `writeFileSync(${JSON.stringify(file)}, soakFixture(${seed}, ${index}, ${size}));`,
  ].join('\n');
  await promisify(execFile)(process.execPath, [...process.execArgv, '--input-type=module', '-e', script]);
}
