/** Other Stremio addons whose torrent streams we rewrite to our own URLs (ADDON_UPSTREAMS). */
export interface UpstreamAddons {
  /** The raw `streams` array of `<manifest base>/stream/<type>/<id>.json`. */
  streams(manifestUrl: string, type: string, id: string): Promise<Record<string, unknown>[]>;
}
