import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './paths.js';

export interface WrkResult {
  durationS: number;
  requests: number;
  bytes: number;
  errors: number;
  /** Answers other than 2xx/3xx. */
  statusErrors: number;
  reqPerS: number;
  /** 1 GB = 1e9 bytes (headers included, as wrk counts). */
  gbPerS: number;
  p50Ms: number;
  p99Ms: number;
}

export const WRK = '/usr/bin/wrk';
const SCRIPT = path.join(REPO_ROOT, 'bench', 'wrk-ranges.lua');

/** Runs wrk with random aligned `chunk`-byte ranges over a `size`-byte file; bounded by `seconds` (+ a grace). */
export function runWrk(
  url: string,
  o: { size: number; chunk: number; seconds: number; connections: number; threads: number },
): Promise<WrkResult> {
  return new Promise((resolve, reject) => {
    const args = [
      '-t',
      String(o.threads),
      '-c',
      String(o.connections),
      '-d',
      `${o.seconds}s`,
      '--timeout',
      '10s',
      '-s',
      SCRIPT,
      url,
    ];
    const child = spawn(WRK, args, {
      env: { ...process.env, BENCH_SIZE: String(o.size), BENCH_CHUNK: String(o.chunk) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), (o.seconds + 20) * 1000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(killer);
      const line = /WRK_JSON (.*)/.exec(out);
      if (code !== 0 || !line) return reject(new Error(`wrk failed (exit ${code}): ${out.slice(-500)}`));
      const r = JSON.parse(line[1]!) as {
        durationUs: number;
        requests: number;
        bytes: number;
        errors: number;
        statusErrors: number;
        p50Us: number;
        p99Us: number;
      };
      const durationS = r.durationUs / 1e6;
      resolve({
        durationS,
        requests: r.requests,
        bytes: r.bytes,
        errors: r.errors,
        statusErrors: r.statusErrors,
        reqPerS: r.requests / durationS,
        gbPerS: r.bytes / durationS / 1e9,
        p50Ms: r.p50Us / 1000,
        p99Ms: r.p99Us / 1000,
      });
    });
  });
}
