import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers of docs/architecture.md, enforced: each folder may import only what sits below it.
 * http -> services -> ports <- adapters; domain is pure; the composition root (server.ts,
 * compose-*.ts) is the only place that sees everything.
 */
const layer = (group, message) => ({ group, message });
const ADAPTERS = layer(
  ['**/adapters/*', '**/adapters/**'],
  'Only the composition root (src/server.ts, src/compose-*.ts) may import adapters; depend on a port instead.',
);
const HTTP = layer(['**/http/*', '**/http/**'], 'Nothing below http/ may depend on it.');
const SERVICES = layer(['**/services/*', '**/services/**'], 'This layer sits below services/.');
const COMPOSITION = layer(
  ['**/server.js', '**/compose-*.js', '**/main.js'],
  'The composition root is imported by nobody but main.ts and tests.',
);

/** One library per adapter file (ARCHITECTURE.md convention 1). */
const LIBRARY_HOMES = {
  webtorrent: [
    'src/adapters/webtorrent-engine.ts',
    'src/adapters/webtorrent-torrent.ts',
    'src/adapters/webtorrent-dual-dial.ts',
  ],
  'better-sqlite3': ['src/adapters/sqlite-cache-index.ts', 'src/adapters/sqlite-user-store.ts'],
  ioredis: ['src/adapters/redis-connection.ts'],
  'lru-cache': ['src/adapters/memory-cache-index.ts'],
  'node-cron': ['src/adapters/cron-scheduler.ts'],
  'prom-client': ['src/adapters/prometheus-metrics.ts'],
  // ffmpeg and ffprobe run as child processes only in their adapters.
  'node:child_process': [
    'src/adapters/ffprobe-prober.ts',
    'src/adapters/ffmpeg-subtitles.ts',
    'src/adapters/ffmpeg-hls-job.ts',
  ],
};
const libraryPaths = (except = []) =>
  Object.entries(LIBRARY_HOMES)
    .filter(([name]) => !except.includes(name))
    .map(([name, homes]) => ({ name, message: `${name} is used only in ${homes.join(', ')}.` }));
const FS = ['node:fs', 'node:fs/promises', 'fs', 'fs/promises'].map((name) => ({
  name,
  message: 'File access goes through a port (Disk, FileStore, TorrentMetaStore).',
}));
const EXPRESS = [{ name: 'express', message: 'Services never see HTTP; routes translate.' }];

const restrict = ({ paths = [], patterns = [] }) => ({ 'no-restricted-imports': ['error', { paths, patterns }] });

/** Services and adapters are built by the composition root only. */
const NO_CONSTRUCTION = {
  'no-restricted-syntax': [
    'error',
    {
      selector: 'NewExpression[callee.name=/(Service|Cleaner|Client|Store|Engine|Index)$/]',
      message:
        'Build services and adapters in the composition root (src/server.ts, src/compose-*.ts) and pass them in.',
    },
  ],
};

export default tseslint.config(
  { ignores: ['dist/', 'dist-bench/', 'node_modules/', 'coverage/', 'web/vendor/', 'test-artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        performance: 'readonly',
        fetch: 'readonly',
        URL: 'readonly',
        AbortSignal: 'readonly',
        AbortController: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/ban-ts-comment': ['error', { 'ts-expect-error': 'allow-with-description' }],
      'no-control-regex': 'off',
    },
  },
  // Type-aware rules: a promise nobody awaits or catches is a crash or a silent failure waiting to happen.
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // Express 5 awaits async handlers and routes their rejections to the error middleware.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
    },
  },
  // ---- layer boundaries (later blocks override earlier ones for the same files) ----
  { files: ['src/**/*.ts'], rules: restrict({ paths: libraryPaths() }) },
  ...Object.entries(LIBRARY_HOMES).map(([name, homes]) => ({
    files: homes,
    rules: restrict({ paths: libraryPaths([name]) }),
  })),
  { files: ['src/compose-*.ts', 'src/server.ts', 'src/main.ts'], rules: restrict({ paths: libraryPaths() }) },
  {
    files: ['src/http/**/*.ts'],
    rules: { ...restrict({ paths: libraryPaths(), patterns: [ADAPTERS, COMPOSITION] }), ...NO_CONSTRUCTION },
  },
  {
    files: ['src/services/**/*.ts'],
    rules: {
      ...restrict({ paths: [...libraryPaths(), ...FS, ...EXPRESS], patterns: [ADAPTERS, HTTP, COMPOSITION] }),
      ...NO_CONSTRUCTION,
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      ...restrict({
        paths: [...libraryPaths(), ...FS, ...EXPRESS],
        patterns: [
          ADAPTERS,
          HTTP,
          SERVICES,
          COMPOSITION,
          layer(
            ['**/ports/*', '**/config.js', '**/logger.js'],
            'domain/ is pure: it imports only domain/ and pure libraries.',
          ),
        ],
      }),
      ...NO_CONSTRUCTION,
    },
  },
  {
    files: ['src/ports/**/*.ts'],
    rules: {
      ...restrict({ paths: [...libraryPaths(), ...FS, ...EXPRESS], patterns: [ADAPTERS, HTTP, SERVICES, COMPOSITION] }),
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ImportDeclaration[importKind!="type"]',
          message: 'ports/ holds interfaces only: import types with `import type`.',
        },
        {
          selector: 'Program > VariableDeclaration, ExportNamedDeclaration > VariableDeclaration',
          message: 'ports/ holds interfaces only: implementations live in adapters/.',
        },
        {
          selector: 'ClassDeclaration, FunctionDeclaration',
          message: 'ports/ holds interfaces only: implementations live in adapters/.',
        },
      ],
    },
  },
  {
    files: ['web/**/*.js'],
    languageOptions: {
      globals: {
        window: 'readonly',
        document: 'readonly',
        navigator: 'readonly',
        EventSource: 'readonly',
        localStorage: 'readonly',
        SwaggerUIBundle: 'readonly',
        location: 'readonly',
        alert: 'readonly',
        confirm: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        FormData: 'readonly',
      },
    },
  },
);
