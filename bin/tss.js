#!/usr/bin/env node
// tss: a thin command line over a torrent stream server's REST API (no build step: plain ESM).
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { ApiError, client } from './tss-api.js';

const USAGE = `Usage: tss <command> [options]

  add <magnet|info hash|file.torrent|url> [--wait]   add a torrent (--wait: a progress bar until it is done)
  ls                                                 list torrents, active and cached
  status <hash>                                      one torrent and its files
  rm <hash> [--delete-files]                         remove a torrent (and its files)
  play <hash> [fileIndex] [--kodi]                   print the stream URL (--kodi: play it on Kodi)

Options:
  --server <url>   the server (default $TSS_URL, else http://127.0.0.1:7000)
  --token <token>  a token (default $TSS_TOKEN)
  --json           print the server's JSON answer instead of text
  --interval <ms>  how often add --wait asks for the status (default 500)
  -h, --help       this help`;

const HASH = /^(?:[0-9a-f]{40}|[a-z2-7]{32})$/i;

/** A mistake in how tss was called: the usage goes with it. */
class UsageError extends Error {}

function parse(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      server: { type: 'string' },
      token: { type: 'string' },
      wait: { type: 'boolean', default: false },
      'delete-files': { type: 'boolean', default: false },
      kodi: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      interval: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  return { options: values, command: positionals[0], args: positionals.slice(1) };
}

const bytes = (n) => {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
};

const need = (value, what) => {
  if (value === undefined) throw new UsageError(`missing ${what}`);
  return value;
};

const hashArg = (value) => {
  need(value, '<hash>');
  if (!HASH.test(value)) throw new UsageError(`"${value}" is not an info hash (40 hex or 32 base32 characters)`);
  return value.toLowerCase();
};

/** What POST /api/torrents gets for `input`: a magnet, a bare hash, an http(s) URL, or a .torrent file's bytes. */
function addRequest(input) {
  if (/^magnet:\?/i.test(input)) return { fields: { magnetUri: input } };
  if (HASH.test(input)) return { fields: { infoHash: input } };
  if (/^https?:\/\//i.test(input)) return { fields: { torrentUrl: input } };
  if (existsSync(input)) return { file: readFileSync(input) };
  throw new UsageError(`"${input}" is not a magnet link, an info hash, an http(s) URL or a .torrent file`);
}

async function add(api, [input], options, out) {
  const request = addRequest(need(input, '<magnet|hash|file.torrent|url>'));
  const answer = request.file ? await api.addTorrentFile(request.file) : await api.addJson(request.fields);
  const t = answer.data;
  if (options.json && !options.wait) return out.json(answer);
  out.log(`${t.infoHash}  ${t.status}  ${t.name}`);
  if (!options.wait) return;
  const final = await waitUntilDone(api, t.infoHash, Number(options.interval ?? 500), out);
  if (options.json) out.json({ success: true, data: final });
  if (final.status === 'failed') throw new ApiError(final.error ?? 'the torrent failed', 'TORRENT_FAILED');
  out.log(`${final.infoHash}  complete  ${final.name}`);
}

/** Polls the torrent's status under a progress bar (on stderr) until it is complete or failed. */
async function waitUntilDone(api, infoHash, intervalMs, out) {
  const bar = new cliProgress.SingleBar(
    {
      format: ' {bar} {percentage}% | {done}/{size} | {speed}/s | {peers} peers | {status}',
      hideCursor: true,
      noTTYOutput: true,
      notTTYSchedule: 1000,
      stream: out.progressStream,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(100, 0, { done: '0 B', size: '?', speed: '0 B', peers: 0, status: 'connecting' });
  try {
    for (;;) {
      const { data: t } = await api.get(infoHash);
      const size = (t.files ?? []).reduce((sum, f) => sum + f.length, 0);
      const done = (t.files ?? []).reduce((sum, f) => sum + (f.downloaded ?? 0), 0);
      bar.update(Math.floor(Number(t.progress)), {
        done: bytes(done),
        size: bytes(size),
        speed: bytes(t.downloadSpeed ?? 0),
        peers: t.numPeers ?? 0,
        status: t.status,
      });
      if (t.status === 'complete' || t.status === 'failed') {
        if (t.status === 'complete') bar.update(100);
        return t;
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  } finally {
    bar.stop();
  }
}

async function ls(api, _args, options, out) {
  const answer = await api.list();
  if (options.json) return out.json(answer);
  const { torrents } = answer.data;
  if (torrents.length === 0) return out.log('no torrents');
  for (const t of torrents) {
    const where = t.cached ? 'cached' : `${bytes(t.downloadSpeed)}/s ${t.peers} peers`;
    out.log(`${t.infoHash}  ${t.status.padEnd(11)} ${t.progress.padStart(6)}%  ${where.padEnd(22)} ${t.name}`);
  }
}

async function status(api, [hash], options, out) {
  const answer = await api.get(hashArg(hash));
  if (options.json) return out.json(answer);
  const t = answer.data;
  out.log(`${t.name}`);
  out.log(`  hash      ${t.infoHash}`);
  out.log(`  status    ${t.status}${t.error ? ` (${t.error})` : ''}${t.cached ? ', cached' : ''}`);
  out.log(`  progress  ${t.progress}%`);
  out.log(
    `  speed     down ${bytes(t.downloadSpeed ?? 0)}/s, up ${bytes(t.uploadSpeed ?? 0)}/s, ${t.numPeers ?? 0} peers`,
  );
  out.log('  files');
  for (const f of t.files ?? [])
    out.log(`    ${String(f.index).padStart(3)}  ${bytes(f.length).padStart(10)}  ${f.path}`);
}

async function rm(api, [hash], options, out) {
  const answer = await api.remove(hashArg(hash), options['delete-files']);
  if (options.json) return out.json(answer);
  const { infoHash, deletedFiles, keptInCache } = answer.data;
  out.log(`removed ${infoHash}${deletedFiles ? ', files deleted' : keptInCache ? ', kept in the cache' : ''}`);
}

async function play(api, [hash, index], options, out) {
  const infoHash = hashArg(hash);
  let fileIndex;
  if (index !== undefined) {
    if (!/^\d+$/.test(index)) throw new UsageError(`fileIndex "${index}" is not a whole number`);
    fileIndex = Number(index);
  }
  if (options.kodi) {
    const answer = await api.kodiPlay(infoHash, fileIndex);
    if (options.json) return out.json(answer);
    return out.log(`playing on ${answer.data.kodi}: ${answer.data.url}`);
  }
  const { data } = await api.streamInfo(infoHash);
  const largest = (files) => files.reduce((a, b) => (b.length > a.length ? b : a), files[0]);
  const file =
    fileIndex !== undefined
      ? data.files.find((f) => f.index === fileIndex)
      : (largest(data.files.filter((f) => f.isVideo)) ?? largest(data.files));
  if (!file) throw new ApiError(`no file ${fileIndex} in ${infoHash} (it has ${data.files.length})`, 'FILE_NOT_FOUND');
  if (options.json) return out.json({ success: true, data: { ...file, url: `${api.base}${file.playerUrl}` } });
  out.log(`${api.base}${file.playerUrl}`);
}

const COMMANDS = { add, ls, status, rm, play };

async function main(argv, env = process.env, out = defaultOutput()) {
  let parsed;
  try {
    parsed = parse(argv);
  } catch (err) {
    out.error(`tss: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  const { options, command, args } = parsed;
  if (options.help || command === undefined || command === 'help') {
    (command === undefined && !options.help ? out.error : out.log)(USAGE);
    return command === undefined && !options.help ? 2 : 0;
  }
  const run = COMMANDS[command];
  if (!run) {
    out.error(`tss: unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  const api = client({
    server: options.server ?? env.TSS_URL ?? 'http://127.0.0.1:7000',
    token: options.token ?? env.TSS_TOKEN,
  });
  try {
    await run(api, args, options, out);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      out.error(`tss ${command}: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    if (err instanceof ApiError) {
      out.error(`tss ${command}: ${err.message}${err.code ? ` (${err.code})` : ''}`);
      return 1;
    }
    throw err;
  }
}

function defaultOutput() {
  return {
    log: (line) => console.log(line),
    error: (line) => console.error(line),
    json: (value) => console.log(JSON.stringify(value, null, 2)),
    progressStream: process.stderr,
  };
}

const code = await main(process.argv.slice(2));
process.exitCode = code;
