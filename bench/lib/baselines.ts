import { spawn } from 'node:child_process';
import { closeSync, createReadStream, existsSync, openSync, readSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream';
import { freePort, withTimeout } from './net.js';

export interface Baseline {
  name: string;
  /** URL of the file. */
  url: string;
  stop(): Promise<void>;
}

export const NGINX = '/usr/sbin/nginx';

/** nginx serving `file` statically on 127.0.0.1:<free port>, with a throw-away config and prefix. */
export async function startNginx(file: string): Promise<Baseline> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tss-bench-nginx-'));
  const port = await freePort();
  await mkdir(path.join(dir, 'logs'));
  const conf = path.join(dir, 'nginx.conf');
  // `user root`: the file sits in a 0700 mkdtemp folder; everything else is nginx's stock behaviour.
  await writeFile(
    conf,
    `
user root;
worker_processes auto;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port};
    location = /file { alias ${file}; }
  }
}
`,
  );
  const child = spawn(NGINX, ['-p', dir, '-e', `${dir}/logs/error.log`, '-c', conf], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const url = `http://127.0.0.1:${port}/file`;
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGQUIT');
      await withTimeout(exited, 5000, 'stopping nginx').catch(() => child.kill('SIGKILL'));
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await withTimeout(
      waitUntilUp(url, () => child.exitCode !== null),
      5000,
      'starting nginx',
    );
  } catch (err) {
    const log = existsSync(`${dir}/logs/error.log`) ? await readFile(`${dir}/logs/error.log`, 'utf8') : '';
    await stop();
    throw new Error(`nginx did not start: ${(err as Error).message} ${stderr} ${log}`);
  }
  return { name: 'nginx', url, stop };
}

/** The plainest Node server that honours a single `bytes=a-b` range: http + fs.createReadStream. */
export async function startPlainNode(file: string): Promise<Baseline> {
  const size = statSync(file).size;
  const server = http.createServer((req, res) => {
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    const start = m ? Number(m[1]) : 0;
    const end = m && m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
    res.writeHead(m ? 206 : 200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': end - start + 1,
      'Accept-Ranges': 'bytes',
      ...(m ? { 'Content-Range': `bytes ${start}-${end}/${size}` } : {}),
    });
    pipeline(createReadStream(file, { start, end }), res, () => undefined);
  });
  return listenOnFreePort('plain node', server);
}

/**
 * Not a product: the least a Node process can do per range on this machine (one descriptor, one
 * readSync into a new buffer, writeHead + end, no checks), so the table shows how much of nginx's rate
 * any Node server could reach here. Ours carries auth, the cache index, leases, metrics and the
 * headers players need; this carries none of it.
 */
export async function startBareNode(file: string): Promise<Baseline> {
  const fd = openSync(file, 'r');
  const size = statSync(file).size;
  const server = http.createServer((req, res) => {
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    const start = m ? Number(m[1]) : 0;
    const end = m ? Math.min(Number(m[2]), size - 1) : size - 1;
    const body = Buffer.allocUnsafe(end - start + 1);
    readSync(fd, body, 0, body.length, start);
    res.writeHead(m ? 206 : 200, {
      'Content-Length': body.length,
      ...(m ? { 'Content-Range': `bytes ${start}-${end}/${size}` } : {}),
    });
    res.end(body);
  });
  return listenOnFreePort('bare node', server, () => closeSync(fd));
}

/** `server` on 127.0.0.1:<free port>, serving the file at /file; stop closes its connections, then `after`. */
async function listenOnFreePort(name: string, server: http.Server, after: () => void = () => {}): Promise<Baseline> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    name,
    url: `http://127.0.0.1:${port}/file`,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      after();
    },
  };
}

async function waitUntilUp(url: string, died: () => boolean): Promise<void> {
  for (;;) {
    if (died()) throw new Error('process exited');
    const ok = await new Promise<boolean>((resolve) => {
      http
        .get(url, { headers: { Range: 'bytes=0-0' }, agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode === 206);
        })
        .on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}
