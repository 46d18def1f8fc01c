/**
 * Prometheus metrics of one server (its own prom-client registry, so several servers in one process
 * do not share counters): request latency by route, prediction latency and count by model, the
 * active model, feature drift and the online session's gauges.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { LiveController } from '../live/types.js';
import type { ModelRegistry } from './registry.js';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export function createServerMetrics(models: ModelRegistry, live: LiveController | null) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'grpo_trader_' });
  const requests = new Histogram({ name: 'grpo_trader_http_request_seconds', help: 'HTTP request latency by route, method and status', labelNames: ['route', 'method', 'status'], buckets: LATENCY_BUCKETS, registers: [registry] });
  const predictLatency = new Histogram({ name: 'grpo_trader_predict_seconds', help: 'Time to answer a prediction (features, policy, critic), by model', labelNames: ['model'], buckets: LATENCY_BUCKETS, registers: [registry] });
  const predictions = new Counter({ name: 'grpo_trader_predictions_total', help: 'Predictions served, by model', labelNames: ['model'], registers: [registry] });
  new Gauge({
    name: 'grpo_trader_model_info',
    help: 'Loaded models (1 = active), with algorithm and checkpoint update',
    labelNames: ['model', 'algorithm', 'update'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { id, predictor } of models.list()) this.set({ model: id, algorithm: predictor.info.algorithm, update: String(predictor.info.update) }, id === models.active ? 1 : 0);
    },
  });
  const featureDrift = new Gauge({ name: 'grpo_trader_feature_drift_psi', help: "Largest population stability index of a model's features against its training split (last measured)", labelNames: ['model'], registers: [registry] });
  new Gauge({
    name: 'grpo_trader_online_gauge',
    help: 'Online learning session: bars, updates, promotions, rollbacks, alarms, open alerts, seconds since the last bar, paused',
    labelNames: ['name'],
    registers: [registry],
    collect() {
      this.reset();
      if (!live) return;
      const status = live.status();
      for (const [name, value] of Object.entries(status)) if (typeof value === 'number' && Number.isFinite(value)) this.set({ name }, value);
      this.set({ name: 'paused' }, status['paused'] === true ? 1 : 0);
      this.set({ name: 'open_alerts' }, live.alerts().length);
    },
  });
  return {
    registry,
    featureDrift,
    observeRequest(route: string, method: string, status: number, seconds: number) {
      requests.observe({ route, method, status: String(status) }, seconds);
    },
    observePrediction(model: string, seconds: number) {
      predictLatency.observe({ model }, seconds);
      predictions.inc({ model });
    },
  };
}

export type ServerMetrics = ReturnType<typeof createServerMetrics>;
