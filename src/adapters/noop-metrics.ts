import type { Metrics } from '../ports/metrics.js';

/** Counts nothing: for unit tests and anything built without a registry. */
export const noopMetrics: Metrics = {
  observeTimeToFirstByte: () => {},
  observeSeek: () => {},
  streamOpened: () => {},
  streamClosed: () => {},
  stall: () => {},
  httpRequest: () => {},
};
