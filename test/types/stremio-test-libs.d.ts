// Minimal types for the Stremio client libraries the tests drive (they ship none).
declare module 'stremio-addon-client' {
  export interface AddonClient {
    manifest: Record<string, any>;
    transportUrl: string;
    get(resource: string, type: string, id: string, extra?: Record<string, string>): Promise<any>;
    isSupported(resource: string, type: string, id: string): boolean;
    toDescriptor(): { manifest: Record<string, any>; transportUrl: string; flags: Record<string, unknown> };
  }
  export function detectFromURL(url: string): Promise<{ addon?: AddonClient; collection?: unknown[] }>;
  const client: { detectFromURL: typeof detectFromURL };
  export default client;
}

declare module 'stremio-addon-linter' {
  export interface LintResult {
    valid: boolean;
    errors: Error[];
    warnings: Error[];
  }
  export function lintManifest(manifest: unknown): LintResult;
  export function lintCollection(collection: unknown): LintResult;
  const linter: { lintManifest: typeof lintManifest; lintCollection: typeof lintCollection };
  export default linter;
}
