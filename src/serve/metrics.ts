/** Prometheus metrics (`GET /metrics`), in a registry of the server's own (not prom-client's global one). */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface ServeMetrics {
  registry: Registry;
  requests: Counter<'model' | 'route' | 'status'>;
  latency: Histogram<'model' | 'route'>;
  batchRows: Histogram<'model'>;
  batchRequests: Histogram<'model'>;
  queueDepth: Gauge<'model'>;
}

export function createMetrics(): ServeMetrics {
  const registry = new Registry();
  const buckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];
  return {
    registry,
    requests: new Counter({ name: 'vaekit_requests_total', help: 'HTTP requests by model, route and status', labelNames: ['model', 'route', 'status'], registers: [registry] }),
    latency: new Histogram({
      name: 'vaekit_request_duration_seconds',
      help: 'HTTP request latency by model and route',
      labelNames: ['model', 'route'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    batchRows: new Histogram({ name: 'vaekit_batch_size', help: 'Rows per ONNX Runtime run of a graph model (dynamic batching)', labelNames: ['model'], buckets, registers: [registry] }),
    batchRequests: new Histogram({ name: 'vaekit_batch_requests', help: 'Requests merged into one run of a graph model', labelNames: ['model'], buckets, registers: [registry] }),
    queueDepth: new Gauge({ name: 'vaekit_queue_depth', help: 'Requests waiting for a run, per graph model', labelNames: ['model'], registers: [registry] }),
  };
}
