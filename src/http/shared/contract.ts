import type { OpenAPIRegistry, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { z } from './zod.js';

/**
 * Building blocks of the route contracts (`<folder>/<name>.contract.ts`): each folder exports a
 * Registrar that adds its operations to the registry /docs.json is generated from.
 */
export type Registrar = (registry: OpenAPIRegistry) => void;

/** What every error answer looks like (error.middleware.ts). */
export const ErrorBody = z
  .object({
    success: z.literal(false),
    error: z.object({ code: z.string().openapi({ example: 'INVALID_INPUT' }), message: z.string() }),
  })
  .openapi('Error');

const json = (schema: z.ZodType, description: string): ResponseConfig => ({
  description,
  content: { 'application/json': { schema } },
});

/** `{ success: true, data }`, our JSON envelope. */
export const ok = (data: z.ZodType, description = 'OK'): ResponseConfig =>
  json(z.object({ success: z.literal(true), data }), description);

/** The envelope with a human-readable `message` beside the data. */
export const okWithMessage = (data: z.ZodType, description = 'OK'): ResponseConfig =>
  json(z.object({ success: z.literal(true), message: z.string(), data }), description);

export const failure = (description: string): ResponseConfig => json(ErrorBody, description);

/** A JSON body that is not our envelope (health, the addon protocol, this document). */
export const plainJson = json;

export const htmlPage = (description = 'HTML page'): ResponseConfig => ({ description, content: { 'text/html': {} } });

/** A text body of the given media type (playlists, .strm, SVG, VTT). */
export const textBody = (mediaType: string, description: string): ResponseConfig => ({
  description,
  content: { [mediaType]: { schema: z.string() } },
});

/**
 * Marks an operation whose documented path is not the Express one (a `:file` param with a suffix
 * check, say); test/integration/openapi.test.ts matches the router stack through it.
 */
export const expressPath = (path: string) => ({ 'x-express-path': path });
