import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

// The layer rules of eslint.config.js, proved to fire: each probe is linted as if it lived at its path.
// Type-aware rules are switched off for the probes (they are not files of the TypeScript project).
const run = promisify(execFile);

const LINT_PROBES = `
import { ESLint } from 'eslint';
const probes = JSON.parse(process.argv[1]);
const eslint = new ESLint({
  overrideConfig: {
    languageOptions: { parserOptions: { projectService: false } },
    rules: { '@typescript-eslint/no-floating-promises': 'off', '@typescript-eslint/no-misused-promises': 'off' },
  },
});
const out = [];
for (const probe of probes) {
  const [result] = await eslint.lintText(probe.code, { filePath: probe.path });
  out.push(result.messages.map((m) => m.ruleId + ': ' + m.message));
}
console.log(JSON.stringify(out));
`;

async function lint(probes: Array<{ path: string; code: string }>): Promise<string[][]> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', LINT_PROBES, JSON.stringify(probes)], {
    cwd: process.cwd(),
  });
  return JSON.parse(stdout) as string[][];
}

const cases: Array<{ path: string; code: string; expect: RegExp | null }> = [
  {
    path: 'src/services/probe.ts',
    code: "import { nodeDisk } from '../adapters/node-disk.js';\nexport const x = nodeDisk;\n",
    expect: /Only the composition root/,
  },
  {
    path: 'src/services/probe.ts',
    code: "import { readFile } from 'node:fs/promises';\nexport const x = readFile;\n",
    expect: /File access goes through a port/,
  },
  {
    path: 'src/services/probe.ts',
    code: "import express from 'express';\nexport const x = express;\n",
    expect: /Services never see HTTP/,
  },
  {
    path: 'src/services/probe.ts',
    code: "import WebTorrent from 'webtorrent';\nexport const x = WebTorrent;\n",
    expect: /webtorrent is used only in/,
  },
  {
    path: 'src/http/probe.ts',
    code: "import { httpTorrentFileFetcher } from '../adapters/torrent-url-fetcher.js';\nexport const x = httpTorrentFileFetcher;\n",
    expect: /Only the composition root/,
  },
  {
    path: 'src/http/probe.ts',
    code: 'declare const LibraryService: new () => object;\nexport const x = new LibraryService();\n',
    expect: /Build services and adapters in the composition root/,
  },
  {
    path: 'src/domain/probe.ts',
    code: "import type { Clock } from '../ports/clock.js';\nexport type X = Clock;\n",
    expect: /domain\/ is pure/,
  },
  { path: 'src/ports/probe.ts', code: 'export const notAnInterface = 1;\n', expect: /ports\/ holds interfaces only/ },
  {
    path: 'src/adapters/probe.ts',
    code: "import Redis from 'ioredis';\nexport const x = Redis;\n",
    expect: /ioredis is used only in/,
  },
  // What is allowed stays allowed.
  {
    path: 'src/compose-probe.ts',
    code: "import { nodeDisk } from './adapters/node-disk.js';\nexport const x = nodeDisk;\n",
    expect: null,
  },
  {
    path: 'src/adapters/redis-connection.ts',
    code: "import Redis from 'ioredis';\nexport const x = Redis;\n",
    expect: null,
  },
  {
    path: 'src/services/probe.ts',
    code: "import type { Disk } from '../ports/disk.js';\nexport type X = Disk;\n",
    expect: null,
  },
];

test('npm run lint rejects imports that cross a layer the wrong way, and allows the right ones', async () => {
  const results = await lint(cases.map(({ path, code }) => ({ path, code })));
  cases.forEach((c, i) => {
    const messages = results[i]!.filter((m) => /no-restricted/.test(m));
    if (c.expect) expect(messages.join('\n')).toMatch(c.expect);
    else expect(messages).toEqual([]);
  });
}, 60_000);
