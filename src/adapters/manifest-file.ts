import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// src/adapters/ and dist/adapters/ are both two levels below the project root, where manifests/ lives.
const MANIFESTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'manifests');

/**
 * Reads a manifest source from manifests/. Kept as data (not code) so it ships as is beside the build
 * (the Dockerfile copies manifests/) and the version can be filled in from package.json at run time.
 */
export function readManifestTemplate(fileName: string, dir = MANIFESTS_DIR): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(dir, fileName), 'utf8')) as Record<string, unknown>;
}
