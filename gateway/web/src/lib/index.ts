/**
 * @nodelink/web: the TypeScript client of the nodelink gateway.
 * See docs/dashboard.md in the repository for the API and examples.
 */
export { MetricsClient } from './client.js';
export type {
  EventSourceConstructor,
  MetricsClientOptions,
  MetricsStreamOptions,
  MetricsSubscription,
  MetricsSubscriptionHandlers,
  RequestOptions,
  SystemInfoOptions,
} from './client.js';
export {
  MetricsError,
  MetricsApiError,
  MetricsNetworkError,
  MetricsProtocolError,
  isApiErrorBody,
} from './errors.js';
export { metricInstance, diskMetric, netMetric, coreMetric, flattenSample } from './metricnames.js';
export type * from './types.js';
