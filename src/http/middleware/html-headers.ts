import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * helmet's protective headers for HTML pages (HSTS, frame and sniffing rules, referrer policy, COOP...).
 * Its CSP is off because each page sets its own, stricter one (nothing from the internet, no inline script).
 */
export const htmlHeaders: RequestHandler = helmet({
  contentSecurityPolicy: false,
  // The pages embed our own <video> streams and nothing cross-origin; COEP would only get in the way.
  crossOriginEmbedderPolicy: false,
});
