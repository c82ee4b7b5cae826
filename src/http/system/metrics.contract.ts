import { failure, textBody, type Registrar } from '../shared/contract.js';

/** Contract of GET /metrics (metrics.routes.ts). */
export const registerMetricsContract: Registrar = (registry) => {
  registry.registerPath({
    method: 'get',
    path: '/metrics',
    summary:
      'Prometheus metrics (text exposition): torrents by status, bytes and speeds, peers, DHT nodes, cache, ' +
      'streams, time to first byte, seek latency, stalls, HTTP durations by route, process. ' +
      'Needs the admin token or Authorization: Bearer <METRICS_TOKEN> (open when neither is set)',
    responses: {
      200: textBody('text/plain', 'Prometheus text format 0.0.4'),
      401: failure('No valid admin token or METRICS_TOKEN'),
      403: failure('A user token: only the admin or the metrics token may read metrics'),
    },
  });
};
