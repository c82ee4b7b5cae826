import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

/**
 * zod with `.openapi()`: contracts import `z` from here, never from 'zod', so the extension is in
 * place before the first schema is built whatever the import order (ESM evaluates this module first).
 */
extendZodWithOpenApi(z);

export { z };
