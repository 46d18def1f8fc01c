/**
 * Monitors of a live session and its alert rules (specification 9.5): feature drift against the
 * training distribution (PSI over a trailing window), action drift (PSI of the recent weights
 * against the session's first window), live performance (rolling Sharpe against the benchmark's),
 * a drawdown limit, data staleness and decision latency. A rule raises an alert when its condition
 * becomes true and re-arms when it clears, so a lasting condition is one alert, not one per bar.
 */
import { populationStabilityIndex, driftReference, type DriftReference } from '../core/drift-statistics.js';
import { sharpeRatio } from '../core/return-statistics.js';
import { invalidField } from '../core/errors.js';
import type { Alert } from './types.js';

export interface AlertRules {
  /** Trailing bars the drift and performance monitors read. */
  window: number;
  /** Largest feature PSI against the training split before an alert (0.25: "major shift"). */
  featureDriftPsi: number;
  /** PSI of the recent weights against the session's first window before an alert. */
  actionDriftPsi: number;
  /** Alert when the rolling Sharpe falls this far below the benchmark's (annualised). */
  sharpeGap: number;
  /** Alert (critical) when the drawdown from the peak exceeds this fraction. */
  maxDrawdown: number;
  /** Alert when no bar has arrived for this many seconds (the agent holds its book meanwhile). */
  staleSeconds: number;
  /** Alert when deciding one bar takes longer than this. */
  latencyMs: number;
}

export const ALERT_RULE_DEFAULTS: AlertRules = { window: 60, featureDriftPsi: 0.25, actionDriftPsi: 0.25, sharpeGap: 1.5, maxDrawdown: 0.2, staleSeconds: 300, latencyMs: 1000 };

export function parseAlertRules(rules: Partial<AlertRules> = {}): AlertRules {
  const r = { ...ALERT_RULE_DEFAULTS, ...rules };
  for (const [name, value] of Object.entries(r)) if (!(typeof value === 'number' && value > 0 && Number.isFinite(value))) throw invalidField(`alerts.${name}`, `alerts.${name} must be a positive number, got ${String(value)}`);
  if (!Number.isInteger(r.window) || r.window < 5) throw invalidField('alerts.window', `alerts.window must be an integer ≥ 5, got ${r.window}`);
  return r;
}

/** One bar as the monitors see it. */
export interface MonitoredBar {
  date: string;
  /** Net portfolio return over the bar and the benchmark's. */
  portfolioReturn: number;
  benchmarkReturn: number;
  value: number;
  weights: ArrayLike<number>;
  /** This bar's feature values per feature name (all assets), for feature drift. */
  features: Record<string, ArrayLike<number>> | null;
  latencyMs: number;
}

type Condition = { rule: string; severity: Alert['severity']; active: boolean; message: string; value: number | null; threshold: number | null };

export class LiveMonitors {
  readonly rules: AlertRules;
  private readonly returns: number[] = [];
  private readonly benchmark: number[] = [];
  private readonly weights: number[][] = [];
  private actionReference: DriftReference | null = null;
  private readonly featureWindow = new Map<string, number[][]>();
  private peak = 0;
  private readonly armed = new Map<string, boolean>();
  private nextId = 1;
  /** The latest value of each monitor, for status and Prometheus. */
  readonly latest: Record<string, number | null> = { feature_psi: null, action_psi: null, rolling_sharpe: null, benchmark_sharpe: null, drawdown: 0, latency_ms: null };

  constructor(
    rules: Partial<AlertRules>,
    private readonly featureReference: Record<string, DriftReference | null> | null,
  ) {
    this.rules = parseAlertRules(rules);
  }

  private push<T>(list: T[], value: T): void {
    list.push(value);
    if (list.length > this.rules.window) list.shift();
  }

  /** Read one bar; returns the alerts it raises. */
  observe(bar: MonitoredBar): Alert[] {
    const r = this.rules;
    this.push(this.returns, bar.portfolioReturn);
    this.push(this.benchmark, bar.benchmarkReturn);
    this.push(this.weights, Array.from(bar.weights));
    if (this.actionReference === null && this.weights.length === r.window) this.actionReference = driftReference(this.weights.flat());
    this.peak = Math.max(this.peak, bar.value);
    const drawdown = this.peak > 0 ? (this.peak - bar.value) / this.peak : 0;
    this.latest['drawdown'] = drawdown;
    this.latest['latency_ms'] = bar.latencyMs;
    const conditions: Condition[] = [
      { rule: 'drawdown', severity: 'critical', active: drawdown > r.maxDrawdown, message: `drawdown ${(drawdown * 100).toFixed(1)}% exceeds the limit ${(r.maxDrawdown * 100).toFixed(1)}%`, value: drawdown, threshold: r.maxDrawdown },
      { rule: 'latency', severity: 'warning', active: bar.latencyMs > r.latencyMs, message: `deciding a bar took ${bar.latencyMs.toFixed(0)} ms (limit ${r.latencyMs} ms)`, value: bar.latencyMs, threshold: r.latencyMs },
    ];
    if (this.returns.length === r.window) {
      const live = sharpeRatio(this.returns);
      const benchmark = sharpeRatio(this.benchmark);
      this.latest['rolling_sharpe'] = Number.isFinite(live) ? live : null;
      this.latest['benchmark_sharpe'] = Number.isFinite(benchmark) ? benchmark : null;
      const gap = live - benchmark;
      conditions.push({ rule: 'performance', severity: 'warning', active: Number.isFinite(gap) && gap < -r.sharpeGap, message: `rolling ${r.window}-bar Sharpe ${live.toFixed(2)} is ${(-gap).toFixed(2)} below the benchmark's ${benchmark.toFixed(2)}`, value: gap, threshold: -r.sharpeGap });
    }
    if (this.actionReference && this.weights.length === r.window) {
      const psi = populationStabilityIndex(this.actionReference, this.weights.flat());
      this.latest['action_psi'] = Number.isFinite(psi) ? psi : null;
      conditions.push({ rule: 'action_drift', severity: 'warning', active: psi > r.actionDriftPsi, message: `the weights of the last ${r.window} bars drifted from the session's first ${r.window} (PSI ${psi.toFixed(3)})`, value: psi, threshold: r.actionDriftPsi });
    }
    if (bar.features && this.featureReference) {
      let worst: { name: string; psi: number } | null = null;
      for (const [name, values] of Object.entries(bar.features)) {
        const ref = this.featureReference[name];
        if (!ref) continue;
        const window = this.featureWindow.get(name) ?? [];
        window.push(Array.from(values));
        if (window.length > r.window) window.shift();
        this.featureWindow.set(name, window);
        if (window.length < r.window) continue;
        const psi = populationStabilityIndex(ref, window.flat());
        if (Number.isFinite(psi) && (worst === null || psi > worst.psi)) worst = { name, psi };
      }
      if (worst) {
        this.latest['feature_psi'] = worst.psi;
        conditions.push({ rule: 'feature_drift', severity: 'warning', active: worst.psi > r.featureDriftPsi, message: `feature ${worst.name} drifted from the training distribution (PSI ${worst.psi.toFixed(3)} over ${r.window} bars)`, value: worst.psi, threshold: r.featureDriftPsi });
      }
    }
    return this.raise(conditions, bar.date);
  }

  /** Wall-clock check: no bar for `secondsSinceBar` seconds. */
  checkStaleness(secondsSinceBar: number): Alert[] {
    const r = this.rules;
    return this.raise([{ rule: 'staleness', severity: 'critical', active: secondsSinceBar > r.staleSeconds, message: `no new bar for ${secondsSinceBar.toFixed(0)} s (limit ${r.staleSeconds} s): holding the book`, value: secondsSinceBar, threshold: r.staleSeconds }], null);
  }

  private raise(conditions: Condition[], date: string | null): Alert[] {
    const raised: Alert[] = [];
    for (const c of conditions) {
      const was = this.armed.get(c.rule) ?? false;
      this.armed.set(c.rule, c.active);
      if (c.active && !was) raised.push({ id: this.nextId++, rule: c.rule, severity: c.severity, message: c.message, date, raised_at: new Date().toISOString(), value: c.value, threshold: c.threshold });
    }
    return raised;
  }
}
