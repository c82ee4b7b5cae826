import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (the folder holding bench/run.ts), whether this runs from bench/ or dist-bench/bench/. */
export const REPO_ROOT = ((): string => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'bench', 'run.ts'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('bench: cannot find the repository root (bench/run.ts)');
    dir = up;
  }
  return dir;
})();

export const RESULTS_DIR = path.join(REPO_ROOT, 'bench', 'results');

/** Compiled or sources of their own: never linked into dist-bench. */
const NOT_LINKED = new Set(['dist-bench', 'dist', 'src', 'test', 'bench', 'node_modules']);

/**
 * src/ finds its assets relative to itself (server.ts reads `../package.json` and serves `../web`,
 * the manifest adapter reads `../../manifests`). Compiled into dist-bench/src/ those point inside
 * dist-bench/, so every other top-level entry of the repository is symlinked there first.
 */
export function linkDistBenchRoot(): void {
  const dist = path.join(REPO_ROOT, 'dist-bench');
  mkdirSync(dist, { recursive: true });
  for (const name of readdirSync(REPO_ROOT)) {
    if (name.startsWith('.') || NOT_LINKED.has(name)) continue;
    const link = path.join(dist, name);
    if (!existsSync(link)) symlinkSync(path.join('..', name), link);
  }
}

/** True when running from dist-bench/ (npm run bench), false from the TypeScript sources (the CI smoke). */
export const COMPILED = fileURLToPath(import.meta.url).endsWith('.js');

/**
 * The path of a bench script for a child process: `bench/<name>.js` compiled, `bench/<name>.ts` from
 * the sources, where the child inherits this process's `--import ts-child-loader.mjs` (process.execArgv).
 */
export function benchScript(name: string): string {
  const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  return path.join(benchDir, `${name}.${COMPILED ? 'js' : 'ts'}`);
}
