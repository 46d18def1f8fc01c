/**
 * The online agent deployed on a feed (specification 9.4): an `OnlineStream` paced bar by bar, with
 * its crash-safe state (a restart resumes from the latest save and replays the bars after it to the
 * same decisions), monitors and alerts (log as JSON lines, the alert list, Prometheus via the
 * status, a webhook), pause/resume, and an event stream for the dashboard: `order` as soon as a bar
 * is final — the decision at its close, the target weights, recorded in orders.jsonl before it is
 * published — then `decision` when the next bar settles it (date, value, equal-weight benchmark,
 * weights held, regime, champion; recorded in steps.jsonl first), `online` per agent event, `alert`,
 * `status`.
 *
 * Sources: the deterministic **replay** of stored bars (`replay:PATHS`, tests and the demo), or a
 * growing feed (`PollingSource` over the Yahoo or ccxt connectors): when the stream has caught up it
 * polls, and goes on over the grown market as bars become final. A stale feed raises an alert; the
 * book is held (no decision without a new bar).
 */
import { basename } from 'node:path';
import { ErrorCodes, GrpoTraderError } from '../core/errors.js';
import { OnlineStream, readLines, streamStarted, type OnlineRunInput } from '../online/run-online.js';
import { LiveMonitors, type AlertRules } from './monitors.js';
import type { Alert, LiveController, LiveEvent } from './types.js';
import { WebhookSender, type WebhookOptions } from './webhook.js';
import type { MarketDataSource, SourceEvent } from './sources.js';

export interface LiveSessionOptions extends Omit<OnlineRunInput, 'resume' | 'market' | 'growing'> {
  /** A feed that grows (polling a connector); without one, `data` is replayed. */
  source?: MarketDataSource | null;
  /** Milliseconds between bars (0: as fast as the agent decides). */
  paceMs: number;
  rules?: Partial<AlertRules>;
  webhook?: WebhookOptions | null;
  /** JSON-lines log (alerts, saves, failures). */
  log?: (line: Record<string, unknown>) => void;
  /** Recent events (of every type) kept for late and reconnecting subscribers (default 10,000). */
  historySize?: number;
}

export type LiveSourceSpec = { kind: 'replay'; paths: string[] } | { kind: 'yahoo'; symbols: string[] } | { kind: 'ccxt'; exchange: string; symbols: string[] };

/** Parse `replay:PATH[,PATH...]`, `yahoo:SYMBOL[,SYMBOL...]` or `ccxt:EXCHANGE:SYMBOL[,SYMBOL...]`. */
export function parseLiveSource(source: string): LiveSourceSpec {
  const list = (text: string) => text.split(',').map((p) => p.trim()).filter((p) => p.length > 0);
  let match = /^replay:(.+)$/.exec(source);
  if (match) return { kind: 'replay', paths: list(match[1]!) };
  match = /^yahoo:(.+)$/.exec(source);
  if (match) return { kind: 'yahoo', symbols: list(match[1]!) };
  match = /^ccxt:([a-z0-9_-]+):(.+)$/i.exec(source);
  if (match) return { kind: 'ccxt', exchange: match[1]!, symbols: list(match[2]!) };
  throw new GrpoTraderError(ErrorCodes.invalidArgument, `--live ${JSON.stringify(source)}: give replay:PATHS (stored bars replayed as a feed), yahoo:SYMBOLS or ccxt:EXCHANGE:SYMBOLS (polled)`, { location: { field: 'live', value: source } });
}

/** A message with absolute paths reduced to their last component. */
function withoutPaths(message: string): string {
  return message.replace(/(?:[A-Za-z]:)?[\\/](?:[^\s\\/:'"]+[\\/])+([^\s\\/:'"]+)/g, '$1');
}

export class LiveSession implements LiveController {
  private paused = false;
  private stopped = false;
  private failed: string | null = null;
  private finished = false;
  private loop: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<(event: LiveEvent) => void>();
  /** The newest events of every type, in sequence order: what a reconnecting subscriber missed. */
  private readonly recent: LiveEvent[] = [];
  private readonly raised: Alert[] = [];
  private readonly monitors: LiveMonitors;
  private readonly webhook: WebhookSender | null;
  private readonly log: (line: Record<string, unknown>) => void;
  private lastBarAt = Date.now();
  private benchmarkValue: number;
  private last: Record<string, unknown> = {};
  private staleTimer: NodeJS.Timeout | null = null;
  private wake: (() => void) | null = null;
  private pauseReached: (() => void) | null = null;
  private alertId = 1_000_000;

  private constructor(
    private readonly stream: OnlineStream,
    private readonly options: LiveSessionOptions,
  ) {
    this.log = options.log ?? (() => {});
    const reference = stream.info.data?.featureReference ?? null;
    this.monitors = new LiveMonitors(options.rules ?? {}, reference);
    this.webhook = options.webhook ? new WebhookSender(options.webhook, this.log) : null;
    this.benchmarkValue = stream.info.config.environment.initialCapital;
  }

  /** Open the stream — resuming the latest save in the state directory if there is one — and start pacing it. */
  static async start(options: LiveSessionOptions): Promise<LiveSession> {
    const resume = await streamStarted(options.stateDir);
    const source = options.source ?? null;
    const market = source ? await source.initial() : undefined;
    const stream = await OnlineStream.open({ ...options, resume, ...(market ? { market, growing: true } : {}) });
    const session = new LiveSession(stream, options);
    try {
      if (resume) await session.replayHistory();
    } catch (error) {
      stream.dispose();
      throw error;
    }
    session.log({ level: 'info', msg: resume ? 'live session resumed' : 'live session started', state: stream.resumedFrom, bar: stream.online.nextBar, date: stream.dateOf(stream.online.nextBar) });
    session.loop = session.run();
    session.staleTimer = setInterval(() => session.checkStale(), 1000);
    session.staleTimer.unref();
    return session;
  }

  /**
   * A resumed session: the decisions recorded up to the save become the history late subscribers
   * see, and the benchmark and monitors are rebuilt bar by bar from them (alerts already raised
   * before the restart are not raised again).
   */
  private async replayHistory(): Promise<void> {
    const names = this.stream.features.names;
    for (const line of await readLines(this.stream.stepsFile)) {
      const benchmarkReturn = this.benchmarkReturn(line.bar);
      this.benchmarkValue *= 1 + benchmarkReturn;
      const decision = { ...line, benchmark: this.benchmarkValue, symbols: this.stream.market.symbols, latency_ms: 0 };
      this.last = decision;
      this.emit({ type: 'decision', data: decision });
      this.monitors.observe({ date: line.date, portfolioReturn: line.return, benchmarkReturn, value: line.value, weights: line.weights, features: this.barFeatures(line.bar, names), latencyMs: 0 });
    }
  }

  /** Equal weight, rebalanced each bar, no costs: the mean of the assets' returns from `bar` to the next. */
  private benchmarkReturn(bar: number): number {
    const market = this.stream.market;
    const A = market.symbols.length;
    let sum = 0;
    for (let a = 0; a < A; a++) sum += market.close[(bar + 1) * A + a]! / market.close[bar * A + a]! - 1;
    return sum / A;
  }

  private seq = 0;

  private emit(partial: Omit<LiveEvent, 'seq'>): void {
    const event: LiveEvent = { ...partial, seq: ++this.seq };
    // Every event is kept, whatever its type: a client resuming after id n must get n + 1, n + 2, ...
    this.recent.push(event);
    if (this.recent.length > (this.options.historySize ?? 10_000)) this.recent.shift();
    for (const listener of this.listeners) listener(event);
  }

  private async run(): Promise<void> {
    const stream = this.stream;
    const market = stream.market;
    const names = stream.features.names;
    try {
      const source = this.options.source ?? null;
      while (!this.stopped && (!stream.done || source) && !stream.online.terminated) {
        if (this.paused) {
          this.pauseReached?.();
          this.pauseReached = null;
          await new Promise<void>((resolve) => (this.wake = resolve));
          this.wake = null;
          continue;
        }
        // The decision at the next bar's close needs only that bar: published now, settled when the following bar is known.
        await this.publishOrder();
        if (stream.done) {
          // Caught up with a growing feed: wait for bars to become final (the book is held meanwhile).
          const grown = await source!.poll();
          if (grown) await stream.extend(grown);
          else await this.sleep(source!.nextDelayMs());
          continue;
        }
        const began = performance.now();
        const { line, step } = await stream.step();
        const latencyMs = performance.now() - began;
        this.lastBarAt = Date.now();
        const benchmarkReturn = this.benchmarkReturn(line.bar);
        this.benchmarkValue *= 1 + benchmarkReturn;
        const decision = { ...line, benchmark: this.benchmarkValue, symbols: market.symbols, latency_ms: latencyMs };
        this.last = decision;
        this.emit({ type: 'decision', data: decision });
        for (const event of stream.drainEvents()) this.emit({ type: 'online', data: { ...event, date: stream.dateOf(event.bar) } });
        const features = this.barFeatures(line.bar, names);
        const alerts = [...this.monitors.checkStaleness(0), ...this.monitors.observe({ date: line.date, portfolioReturn: line.return, benchmarkReturn, value: line.value, weights: step.weights, features, latencyMs })];
        for (const alert of alerts) this.alert(alert);
        if (this.options.paceMs > 0) await new Promise((resolve) => setTimeout(resolve, this.options.paceMs));
        else await new Promise((resolve) => setImmediate(resolve));
      }
      if (stream.online.terminated) {
        this.log({ level: 'error', msg: 'live session ended: the portfolio was ruined or hit the drawdown limit', bars: stream.online.totalSteps });
        this.emit({ type: 'status', data: this.status() });
      }
      if (!this.stopped && stream.done && !this.options.source) {
        await stream.finish();
        this.finished = true;
        this.log({ level: 'info', msg: 'live session finished: the feed has no more bars', bars: stream.online.totalSteps });
        this.emit({ type: 'status', data: this.status() });
      }
    } catch (error) {
      this.failed = error instanceof Error ? error.message : String(error);
      this.log({ level: 'error', msg: 'live session failed', error: this.failed });
      this.emit({ type: 'status', data: this.status() });
    }
  }

  private orderedBar = -1;

  /** Decide at the next bar (once) and publish the orders: recorded in orders.jsonl first. */
  private async publishOrder(): Promise<void> {
    if (this.stream.online.nextBar === this.orderedBar || this.stream.online.terminated) return;
    const order = await this.stream.decide();
    this.orderedBar = order.bar;
    this.emit({ type: 'order', data: { ...order, symbols: this.stream.market.symbols } });
  }

  /** Wait, or less if the session is stopped or paused meanwhile. */
  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
    });
  }

  /** A problem of the feed (a gap, a failed poll) as an alert. */
  sourceEvent(event: SourceEvent): void {
    if (event.kind === 'recovered') {
      this.log({ level: 'info', msg: event.message });
      return;
    }
    this.alert({ id: this.alertId++, rule: event.kind === 'gap' ? 'data_gap' : 'source_error', severity: 'warning', message: event.message, date: event.time === undefined ? null : new Date(event.time).toISOString(), raised_at: new Date().toISOString(), value: null, threshold: null });
  }

  /** This bar's features per name (all assets), from the stream's causal feature tensor. */
  private barFeatures(bar: number, names: readonly string[]): Record<string, Float64Array> {
    const tensor = this.stream.features;
    const A = this.stream.market.symbols.length;
    const F = tensor.names.length;
    const out: Record<string, Float64Array> = {};
    names.forEach((name) => {
      const f = tensor.names.indexOf(name);
      if (f < 0) return;
      const values = new Float64Array(A);
      for (let a = 0; a < A; a++) values[a] = tensor.values[(bar * A + a) * F + f]!;
      out[name] = values;
    });
    return out;
  }

  private alert(alert: Alert): void {
    this.raised.push(alert);
    if (this.raised.length > 1_000) this.raised.shift();
    this.log({ level: alert.severity === 'critical' ? 'error' : 'warn', msg: 'alert', ...alert });
    this.emit({ type: 'alert', data: alert });
    void this.webhook?.deliver({ source: 'grpo-trader', alert });
  }

  private checkStale(): void {
    if (this.paused || this.finished || this.stopped || this.failed) return;
    for (const alert of this.monitors.checkStaleness((Date.now() - this.lastBarAt) / 1000)) this.alert(alert);
  }

  ready(): boolean {
    return this.failed === null;
  }

  status(): Record<string, unknown> {
    const online = this.stream.online;
    const state = this.failed ? 'failed' : this.finished ? 'finished' : this.paused ? 'paused' : this.stopped ? 'stopped' : 'running';
    return {
      state,
      paused: this.paused,
      error: this.failed === null ? null : withoutPaths(this.failed),
      bars: online.totalSteps,
      total: this.stream.total,
      next_date: online.nextBar < this.stream.market.time.length ? this.stream.dateOf(online.nextBar) : null,
      date: this.last['date'] ?? null,
      value: this.last['value'] ?? null,
      benchmark: this.last['benchmark'] ?? null,
      regime: this.last['regime'] ?? null,
      stability: this.last['stability'] ?? null,
      champion: online.currentChampion,
      updates: online.updates,
      ...Object.fromEntries(Object.entries(online.counts).map(([k, v]) => [`${k}s`, v])),
      seconds_since_bar: (Date.now() - this.lastBarAt) / 1000,
      monitors: this.monitors.latest,
      // Names, not paths: the status is served without a token.
      last_save: this.stream.lastSavePath === null ? null : basename(this.stream.lastSavePath),
      run_id: this.stream.runIdentifier,
      model: basename(this.stream.info.directory),
    };
  }

  /** Pause after the bar in progress: resolves once the session has stopped between two bars. */
  async pause(): Promise<Record<string, unknown>> {
    if (!this.paused) {
      this.paused = true;
      const running = !this.finished && !this.stopped && this.failed === null && !this.stream.online.terminated;
      if (running) {
        const reached = new Promise<void>((resolve) => (this.pauseReached = resolve));
        // A wait for the feed ends early, so that the pause is reached now.
        this.wake?.();
        await Promise.race([reached, new Promise((resolve) => setTimeout(resolve, 30_000).unref())]);
      }
      this.log({ level: 'info', msg: 'live session paused' });
      this.emit({ type: 'status', data: this.status() });
    }
    return this.status();
  }

  resume(): Record<string, unknown> {
    if (this.paused) {
      this.paused = false;
      this.lastBarAt = Date.now();
      this.wake?.();
      this.log({ level: 'info', msg: 'live session resumed' });
      this.emit({ type: 'status', data: this.status() });
    }
    return this.status();
  }

  alerts(): Alert[] {
    return [...this.raised];
  }

  history(after = 0): LiveEvent[] {
    // The events are in sequence order: the first one after `after` is found by bisection.
    let low = 0;
    let high = this.recent.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.recent[middle]!.seq <= after) low = middle + 1;
      else high = middle;
    }
    return this.recent.slice(low);
  }

  lastSeq(): number {
    return this.seq;
  }

  subscribe(listener: (event: LiveEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  record(type: string, payload: Record<string, unknown>): void {
    this.log({ level: 'info', msg: type, ...payload });
    this.emit({ type: 'status', data: { ...this.status(), event: type, ...payload } });
  }

  /** Wait for the feed to run out (tests, the demo). */
  async whenDone(): Promise<void> {
    await this.loop;
  }

  /** Stop after the bar in progress and save, so a restart continues exactly here. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.wake?.();
    if (this.staleTimer) clearInterval(this.staleTimer);
    await this.loop;
    if (!this.finished && !this.failed && this.stream.online.totalSteps > 0) await this.stream.save(Number(this.last['regime'] ?? -1));
    await this.webhook?.flush();
    await this.options.source?.close?.();
    this.stream.dispose();
  }
}
