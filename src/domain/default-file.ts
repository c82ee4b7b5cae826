import { isPadFile } from './pad-file.js';
import { mediaKind } from './mime.js';

/** The file a player most likely wants: the largest video, else the largest file. */
export function defaultFileIndex(
  all: ReadonlyArray<{ index: number; name: string; length: number; path?: string }>,
): number | undefined {
  const files = all.filter((f) => f.path === undefined || !isPadFile(f.path));
  const largest = (list: typeof files) =>
    list.reduce<(typeof files)[number] | undefined>(
      (best, f) => (!best || f.length > best.length ? f : best),
      undefined,
    );
  return (largest(files.filter((f) => mediaKind(f.name) === 'video')) ?? largest(files))?.index;
}
