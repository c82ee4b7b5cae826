import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';

// The files of deploy/ are checked by the tools that will read them: nginx -t on every shipped nginx
// config, systemd-analyze verify on the unit, docker compose config where Docker's compose plugin
// exists (else the YAML is parsed and its services, profiles and mounts checked); no Docker engine.
const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DEPLOY = path.join(ROOT, 'deploy');
const NGINX_DIR = path.join(DEPLOY, 'nginx');
const NGINX = '/usr/sbin/nginx';
/** The sites the README and the compose file name: the test fails, never passes vacuously, without them. */
const EXPECTED_SITES = ['torrent-stream-server.conf'];
/** Upstream blocks for the sites; the compose one names compose hosts (node-a, node-b). */
const EXPECTED_UPSTREAMS = ['upstreams.compose.conf'];

const read = (file: string) => readFile(file, 'utf8');
/** What the deploy files may set: the server's variables, and LD_PRELOAD (the dynamic loader's: jemalloc). */
const configVariables = async () => {
  const source = await read(path.join(ROOT, 'src/config.ts'));
  return new Set([...[...source.matchAll(/\br\.\w+\(\s*'([A-Z][A-Z0-9_]*)'/g)].map((m) => m[1]!), 'LD_PRELOAD']);
};

describe('nginx', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'tss-nginx-test-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  /** A throwaway self-signed certificate, for sites that name one. */
  const certificate = async () => {
    const cert = path.join(tmp, 'cert.pem');
    const key = path.join(tmp, 'key.pem');
    if (!existsSync(cert)) {
      await run(
        'openssl',
        ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost'].concat([
          '-keyout',
          key,
          '-out',
          cert,
        ]),
      );
    }
    return { cert, key };
  };

  /**
   * nginx -t on `site` inside a minimal nginx.conf of its own prefix. The site's relative includes (the
   * upstream servers, `torrent-stream-upstreams.conf`) are given `upstreams`, as nginx would find them
   * next to its nginx.conf.
   */
  const nginxTest = async (name: string, site: string, upstreams: string | undefined) => {
    const dir = await mkdtemp(path.join(tmp, `${name}-`));
    let text = await read(site);
    if (/\bssl_certificate\b/.test(text)) {
      const { cert, key } = await certificate();
      text = text
        .replace(/(\bssl_certificate\s+)[^;]+;/g, `$1${cert};`)
        .replace(/(\bssl_certificate_key\s+)[^;]+;/g, `$1${key};`)
        .replace(/(\bssl_trusted_certificate\s+)[^;]+;/g, `$1${cert};`);
    }
    await writeFile(path.join(dir, 'site.conf'), text);
    const includes = [...text.matchAll(/^\s*include\s+([^/\s;][^\s;]*);/gm)].map((m) => m[1]!);
    if (upstreams !== undefined) {
      // Compose service names resolve only inside compose: the syntax is what is tested here.
      const local = (await read(upstreams)).replace(/(\bserver\s+)([A-Za-z][\w.-]*)(:\d+)/g, '$1127.0.0.1$3');
      for (const include of includes) await writeFile(path.join(dir, include), local);
    }
    await writeFile(
      path.join(dir, 'nginx.conf'),
      [
        `pid ${dir}/nginx.pid;`,
        `error_log ${dir}/error.log;`,
        'events {}',
        'http {',
        `  access_log ${dir}/access.log;`,
        `  include ${dir}/site.conf;`,
        '}',
        '',
      ].join('\n'),
    );
    const result = spawnSync(NGINX, ['-t', '-q', '-p', dir, '-c', `${dir}/nginx.conf`], { encoding: 'utf8' });
    return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
  };

  test('deploy/nginx ships the site and the compose upstreams', async () => {
    const files = existsSync(NGINX_DIR) ? await readdir(NGINX_DIR) : [];
    expect(files).toEqual(expect.arrayContaining([...EXPECTED_SITES, ...EXPECTED_UPSTREAMS]));
  });

  test('nginx -t accepts every site, with each upstreams file', async () => {
    const files = (existsSync(NGINX_DIR) ? await readdir(NGINX_DIR) : []).filter((f) => f.endsWith('.conf'));
    const sites = files.filter((f) => !f.startsWith('upstreams'));
    const upstreams = files.filter((f) => f.startsWith('upstreams'));
    expect(sites).toEqual(expect.arrayContaining(EXPECTED_SITES));
    const results = [];
    for (const site of sites) {
      for (const up of upstreams.length > 0 ? upstreams : [undefined]) {
        const result = await nginxTest(site, path.join(NGINX_DIR, site), up && path.join(NGINX_DIR, up));
        results.push({ site, upstreams: up ?? null, ...result });
      }
    }
    expect(results.filter((r) => r.status !== 0)).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(EXPECTED_SITES.length);
  });

  test('the wrapper itself fails on a broken site (nginx -t really runs)', async () => {
    const broken = path.join(tmp, 'broken.conf');
    await writeFile(broken, 'server { listen 127.0.0.1:1; location / { proxy_pass http://127.0.0.1:1; }\n');
    const result = await nginxTest('broken', broken, undefined);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/unexpected end of file/);
  });
});

describe('systemd unit', () => {
  const UNIT = path.join(DEPLOY, 'systemd/torrent-stream-server.service');

  test('has the hardening and a data folder it may write', async () => {
    const text = await read(UNIT);
    const directives = new Map<string, string[]>();
    let section = '';
    for (const line of text.split('\n').map((l) => l.trim())) {
      if (!line || line.startsWith('#')) continue;
      const header = /^\[(\w+)\]$/.exec(line);
      if (header) section = header[1]!;
      else {
        const [key, ...value] = line.split('=');
        const name = `${section}.${key!.trim()}`;
        directives.set(name, [...(directives.get(name) ?? []), value.join('=').trim()]);
      }
    }
    const one = (key: string) => directives.get(key)?.at(-1);
    expect(one('Service.NoNewPrivileges')).toBe('true');
    expect(one('Service.ProtectSystem')).toBe('strict');
    expect(one('Service.ProtectHome')).toBe('true');
    expect(one('Service.PrivateTmp')).toBe('true');
    expect(one('Service.ReadWritePaths')).toBe('/var/lib/torrent-stream-server');
    expect(one('Service.User')).toMatch(/^[a-z][a-z0-9-]*$/);
    expect(one('Service.User')).not.toBe('root');
    expect(one('Service.EnvironmentFile')).toMatch(/^-?\//);
    expect(one('Service.ExecStart')).toMatch(/node(?: --\S+)* dist\/main\.js$/); // flags: node-flags.test.ts
    expect(one('Install.WantedBy')).toBe('multi-user.target');
    // The data the server writes lives under the one writable path.
    const env = Object.fromEntries((directives.get('Service.Environment') ?? []).map((e) => e.split('=', 2)));
    expect(env.DOWNLOAD_DIR).toMatch(/^\/var\/lib\/torrent-stream-server\//);
    expect(env.CACHE_DB_PATH).toMatch(/^\/var\/lib\/torrent-stream-server\//);
    const known = await configVariables();
    expect(Object.keys(env).filter((k) => !known.has(k))).toEqual([]);
  });

  test('systemd-analyze verify finds nothing to say', async () => {
    const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
    if (analyze.status !== 0) {
      // Without systemd the directives test above is the check; say so in the output rather than skip silently.
      console.warn('systemd-analyze is not installed: only the directives were checked');
      expect(analyze.error).toBeDefined();
      return;
    }
    // A copy whose ExecStart names this machine's node: verify checks that the binary exists.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tss-unit-'));
    try {
      const copy = path.join(dir, 'torrent-stream-server.service');
      await writeFile(copy, (await read(UNIT)).replace(/^ExecStart=\S+/m, `ExecStart=${process.execPath}`));
      const result = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8' });
      const remarks = `${result.stdout}${result.stderr}`
        .split('\n')
        .filter((l) => l.includes('torrent-stream-server.service'));
      expect({ status: result.status, remarks }).toEqual({ status: 0, remarks: [] });
      // And it does speak up about a broken unit.
      await writeFile(copy, (await read(copy)).replace('NoNewPrivileges=', 'NoNewPrivilegez='));
      const broken = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8' });
      expect(broken.stderr).toMatch(/Unknown key 'NoNewPrivilegez'/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('Docker', () => {
  const COMPOSE = path.join(DEPLOY, 'docker-compose.yml');
  const DOCKERFILE = path.join(DEPLOY, 'Dockerfile');

  test('the Dockerfile is multi-stage, runs as a user, checks /health, and copies what exists', async () => {
    const text = (await read(DOCKERFILE)).replace(/\\\n/g, ' ');
    const stages = [...text.matchAll(/^FROM\s+\S+(?:\s+AS\s+(\w+))?/gim)];
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const runtime = text.slice(stages.at(-1)!.index);
    expect(runtime).toMatch(/^USER\s+(?!root\b|0\b)\w+/m);
    expect(runtime).toMatch(/^HEALTHCHECK\s.*\/health/m);
    expect(runtime).toMatch(/^CMD \["node", (?:"--[^"]+", )*"dist\/main\.js"\]/m); // flags: node-flags.test.ts
    expect(runtime).not.toMatch(/g\+\+|make/); // no compiler in the runtime image
    expect(text).toMatch(/npm ci --omit=dev/);
    // COPY sources (from the build context, the repository root) exist and are not in .dockerignore.
    const ignored = (await read(path.join(ROOT, '.dockerignore')))
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    const sources = [...text.matchAll(/^COPY\s+(?!--from)(.+)\s+\S+$/gm)].flatMap((m) => m[1]!.trim().split(/\s+/));
    expect(sources.length).toBeGreaterThan(3);
    for (const source of sources) {
      expect({ source, exists: existsSync(path.join(ROOT, source)) }).toEqual({ source, exists: true });
      expect(ignored).not.toContain(source);
    }
    const env = [...text.matchAll(/^ENV\s+(.+)$/gm)].flatMap((m) => [...m[1]!.matchAll(/(\w+)=/g)].map((e) => e[1]!));
    const known = await configVariables();
    expect(env.filter((k) => !known.has(k))).toEqual([]);
  });

  test('docker-compose.yml: server + redis by default, two instances + nginx in the cluster profile', async () => {
    const compose = parseYaml(await read(COMPOSE), { merge: true }) as {
      services: Record<string, Record<string, any>>;
      volumes: Record<string, unknown>;
    };
    const { services } = compose;
    const inProfile = (profile: string | undefined) =>
      Object.keys(services)
        .filter((name) => (services[name]!.profiles ?? []).length === 0 || services[name]!.profiles.includes(profile))
        .sort();
    expect(inProfile(undefined)).toEqual(['redis', 'server']);
    expect(inProfile('cluster')).toEqual(['nginx', 'node-b', 'redis', 'server']);

    const instances = [services.server!, services['node-b']!];
    expect(instances.map((s) => s.environment.NODE_ID)).toEqual(['node-a', 'node-b']);
    expect(instances.map((s) => s.environment.NODE_URL)).toEqual(['http://node-a:7000', 'http://node-b:7000']);
    expect(services.server!.networks.default.aliases).toContain('node-a');
    // Each its own data volume, a Redis for the shared index, a built image from the repository root.
    const dataVolumes = instances.map((s) => (s.volumes as string[]).find((v) => v.endsWith(':/data'))!.split(':')[0]);
    expect(new Set(dataVolumes).size).toBe(2);
    for (const volume of dataVolumes) expect(Object.keys(compose.volumes)).toContain(volume);
    for (const s of instances) {
      expect(s.environment.CACHE_BACKEND).toBe('redis');
      expect(s.environment.REDIS_URL).toBe('redis://redis:6379');
      expect(path.resolve(DEPLOY, s.build.context)).toBe(ROOT);
      expect(existsSync(path.join(ROOT, s.build.dockerfile))).toBe(true);
    }
    const known = await configVariables();
    const variables = instances.flatMap((s) => Object.keys(s.environment));
    expect(variables.filter((k) => !known.has(k))).toEqual([]);
    // nginx mounts the shipped site and the compose upstreams.
    const mounts = (services.nginx!.volumes as string[]).map((v) => v.split(':')[0]!);
    expect(mounts.sort()).toEqual(['./nginx/torrent-stream-server.conf', './nginx/upstreams.compose.conf']);
    // The upstreams go where the site's upstream block includes them from (relative to /etc/nginx).
    const site = await read(path.join(NGINX_DIR, 'torrent-stream-server.conf'));
    const include = /^\s*include\s+([^/\s;][^\s;]*);/m.exec(site)?.[1];
    expect(services.nginx!.volumes).toContain(`./nginx/upstreams.compose.conf:/etc/nginx/${include}:ro`);
    for (const mount of mounts)
      expect({ mount, exists: existsSync(path.join(DEPLOY, mount)) }).toEqual({ mount, exists: true });
  });

  test('docker compose config accepts both profiles (where the compose plugin exists)', async () => {
    const version = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
    if (version.status !== 0) {
      console.warn('docker compose is not available here: the YAML checks above are what ran');
      expect(version.status === null || version.status > 0).toBe(true);
      return;
    }
    const env = { ...process.env, API_TOKEN: 'compose-config-token-0123456789' };
    const services = (profile: string[]) =>
      spawnSync('docker', ['compose', '-f', COMPOSE, ...profile, 'config', '--services'], { encoding: 'utf8', env });
    const single = services([]);
    expect(single.stderr).not.toMatch(/error/i);
    expect(single.stdout.trim().split('\n').sort()).toEqual(['redis', 'server']);
    const cluster = services(['--profile', 'cluster']);
    expect(cluster.stdout.trim().split('\n').sort()).toEqual(['nginx', 'node-b', 'redis', 'server']);
    const quiet = spawnSync('docker', ['compose', '-f', COMPOSE, '--profile', 'cluster', 'config', '-q'], { env });
    expect(quiet.status).toBe(0);
    // Without API_TOKEN it refuses.
    const bare = { ...process.env };
    delete bare.API_TOKEN;
    expect(spawnSync('docker', ['compose', '-f', COMPOSE, 'config', '-q'], { env: bare }).status).not.toBe(0);
  });
});
