import { Router, type Request, type Response } from 'express';
import type { Config } from '../../config.js';
import {
  DEFAULT_ADDON_CONFIG,
  encodeAddonConfig,
  parseAddonConfig,
  upstreamKey,
  upstreamLabel,
  type AddonConfig,
} from '../../domain/addon-config.js';
import { publicBaseUrl } from '../shared/public-url.js';
import { parse } from '../shared/validate.js';
import { configParams, configureQuery } from './stremio.contract.js';
import { htmlHeaders } from '../middleware/html-headers.js';

/** Same rules as the other pages: nothing but this server, no inline scripts (this page has none). */
const CSP =
  "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'";

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The addon's `/configure` page (Stremio's "Configure" button opens it, also as `/<config>/configure`
 * for an installed configured addon). A plain GET form rendered here: submitting it re-renders the page
 * with the install URL for the chosen options, so it works without JavaScript.
 */
export function stremioConfigureRoutes(config: Config): Router {
  const router = Router();
  const page = (req: Request, res: Response, current: AddonConfig) => {
    const form = parse(configureQuery, req.query, 'query parameter');
    const chosen = form.build ? fromForm(form, config.addon.upstreams) : current;
    const base = publicBaseUrl(req, config.publicUrl);
    const segment = encodeAddonConfig(chosen);
    const manifestUrl =
      segment === encodeAddonConfig(DEFAULT_ADDON_CONFIG)
        ? `${base}/manifest.json`
        : `${base}/${segment}/manifest.json`;
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('Cache-Control', 'no-store');
    res.send(render(config.addon.upstreams, chosen, manifestUrl));
  };
  router.get('/configure', htmlHeaders, (req, res) => page(req, res, DEFAULT_ADDON_CONFIG));
  router.get('/:config/configure', htmlHeaders, (req, res) => {
    page(req, res, parseAddonConfig(parse(configParams, req.params, 'path parameter').config));
  });
  return router;
}

function fromForm(form: { cachedOnly: boolean; upstream: string[] }, upstreams: readonly string[]): AddonConfig {
  const picked = form.upstream;
  // Every upstream ticked = "all", which also covers upstreams configured later.
  const all = upstreams.every((u) => picked.includes(upstreamKey(u)));
  return { cachedOnly: form.cachedOnly, upstreams: all ? undefined : picked };
}

function render(upstreams: readonly string[], chosen: AddonConfig, manifestUrl: string): string {
  const isOn = (url: string) => chosen.upstreams === undefined || chosen.upstreams.includes(upstreamKey(url));
  const boxes =
    upstreams.length === 0
      ? '<p>No upstream addons are configured (ADDON_UPSTREAMS).</p>'
      : upstreams
          .map(
            (u) =>
              `<label><input type="checkbox" name="upstream" value="${upstreamKey(u)}"${isOn(u) ? ' checked' : ''}> ${escape(upstreamLabel(u))}</label><br>`,
          )
          .join('\n');
  const deepLink = manifestUrl.replace(/^https?:\/\//, 'stremio://');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Configure the Stremio addon</title><link rel="stylesheet" href="/web/style.css"></head>
<body><main>
<h1>Stremio addon</h1>
<form method="get" action="">
<input type="hidden" name="build" value="1">
<p><label><input type="checkbox" name="cachedOnly" value="on"${chosen.cachedOnly ? ' checked' : ''}> Only show streams already in the server's cache</label></p>
<fieldset><legend>Upstream addons to ask for IMDb titles</legend>
${boxes}
</fieldset>
<p><button type="submit">Build install link</button></p>
</form>
<h2>Install</h2>
<p>Addon URL (paste it into Stremio's addon search): <code id="manifest-url">${escape(manifestUrl)}</code></p>
<p><a id="install" href="${escape(deepLink)}">Install in Stremio</a> (the stremio:// link opens the app; it expects https)</p>
</main></body></html>
`;
}
