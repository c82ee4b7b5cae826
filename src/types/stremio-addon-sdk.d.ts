// Minimal types for the parts of stremio-addon-sdk@1.6 we use (it ships none).
declare module 'stremio-addon-sdk' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  namespace sdk {
    interface Manifest {
      id: string;
      name: string;
      version: string;
      description: string;
      resources: Array<string | { name: string; types?: string[]; idPrefixes?: string[] }>;
      types: string[];
      catalogs: Array<{
        type: string;
        id: string;
        name?: string;
        extra?: Array<{ name: string; isRequired?: boolean; options?: string[] }>;
      }>;
      idPrefixes?: string[];
      behaviorHints?: { adult?: boolean; p2p?: boolean; configurable?: boolean; configurationRequired?: boolean };
      config?: Array<{
        key: string;
        type: string;
        title?: string;
        default?: string;
        options?: string[];
        required?: boolean;
      }>;
      [key: string]: unknown;
    }

    interface HandlerArgs {
      type: string;
      id: string;
      extra: Record<string, string | undefined>;
      /** The JSON of a configured install URL's first segment; `false` when it was not JSON. */
      config: unknown;
    }

    /** Any resource answer; the cache fields become Cache-Control headers. */
    interface AddonResponse {
      cacheMaxAge?: number;
      staleRevalidate?: number;
      staleError?: number;
      [key: string]: unknown;
    }

    type Handler = (args: HandlerArgs) => Promise<AddonResponse>;

    interface AddonInterface {
      manifest: Manifest;
      get(
        resource: string,
        type: string,
        id: string,
        extra?: Record<string, string>,
        config?: unknown,
      ): Promise<AddonResponse>;
    }

    class addonBuilder {
      constructor(manifest: Manifest);
      defineCatalogHandler(handler: Handler): this;
      defineMetaHandler(handler: Handler): this;
      defineStreamHandler(handler: Handler): this;
      defineSubtitlesHandler(handler: Handler): this;
      defineResourceHandler(resource: string, handler: Handler): this;
      getInterface(): AddonInterface;
    }

    type AddonRouter = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

    function getRouter(addon: AddonInterface): AddonRouter;
  }

  export = sdk;
}
