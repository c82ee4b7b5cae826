import { readdir, rm, stat, statfs, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Disk } from '../ports/disk.js';

const missing = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

export const nodeDisk: Disk = {
  async fileSize(file) {
    try {
      const s = await stat(file);
      return s.isFile() ? s.size : undefined;
    } catch (err) {
      if (missing(err)) return undefined;
      throw err;
    }
  },
  async freeBytes(dir) {
    const s = await statfs(dir);
    return s.bavail * s.bsize;
  },
  async removeFile(file) {
    try {
      await unlink(file);
    } catch (err) {
      if (!missing(err)) throw err;
    }
  },
  async removeDir(dir) {
    await rm(dir, { recursive: true, force: true });
  },
  async list(dir) {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (missing(err)) return [];
      throw err;
    }
    const out = [];
    for (const e of entries) {
      try {
        const s = await stat(path.join(dir, e.name));
        out.push({ name: e.name, isDirectory: e.isDirectory(), mtimeMs: s.mtimeMs });
      } catch (err) {
        if (!missing(err)) throw err;
      }
    }
    return out;
  },
  async walkFiles(dir) {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true, recursive: true });
    } catch (err) {
      if (missing(err)) return [];
      throw err;
    }
    const files = [];
    for (const e of entries) {
      if (!e.isFile()) continue;
      const absolute = path.join(e.parentPath, e.name);
      try {
        const s = await stat(absolute);
        // Allocated blocks, not apparent size: sparse partial downloads only cost what is written.
        files.push({
          relativePath: path.relative(dir, absolute).split(path.sep).join('/'),
          bytes: Math.min(s.size, s.blocks * 512),
          mtimeMs: s.mtimeMs,
        });
      } catch (err) {
        if (!missing(err)) throw err;
      }
    }
    return files;
  },
};
