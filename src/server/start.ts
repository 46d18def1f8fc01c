/**
 * Start the service: load the models, open the live session when asked, build the Fastify app and
 * listen (127.0.0.1 unless told otherwise). `grpo-trader serve` is a thin adapter over this.
 */
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { ErrorCodes, GrpoTraderError } from '../core/errors.js';
import { LiveSession, parseLiveSource, type LiveSourceSpec } from '../live/live-session.js';
import { intervalToMilliseconds } from '../data/connectors/intervals.js';
import { PollingSource, WatchingSource, type MarketDataSource, type SourceEvent, type WatchExchangeLike } from '../live/sources.js';
import type { AlertRules } from '../live/monitors.js';
import { parseWebhook, type WebhookOptions } from '../live/webhook.js';
import type { OnlineAgentOptions } from '../online/online-agent.js';
import type { RunStore } from '../store/run-store.js';
import { buildServer, SERVER_DEFAULTS } from './app.js';
import { ModelRegistry } from './registry.js';

export interface StartServerOptions {
  /** Model directories (`train --out`). The first is active. */
  models: readonly string[];
  /** What computes MLP policies: auto (onnxruntime-node when installed), onnx or jax. */
  engine?: 'auto' | 'onnx' | 'jax';
  host?: string;
  port?: number;
  tokenFile?: string | null;
  rateLimitPerMinute?: number;
  bodyLimit?: number;
  /** `replay:PATHS`: the online agent runs on this feed, on the first model. */
  live?: string | null;
  /** Live feed: first date, last date, state directory, milliseconds between bars. */
  from?: string;
  to?: string;
  stateDir?: string;
  paceMs?: number;
  /** Polled feeds: bar interval (default 1d), milliseconds between polls, days of history before --from. */
  interval?: string;
  pollMs?: number;
  historyDays?: number;
  online?: Partial<Omit<OnlineAgentOptions, 'onEvent'>>;
  alerts?: Partial<AlertRules>;
  webhook?: (Partial<WebhookOptions> & { url: string }) | null;
  store?: RunStore | null;
  log?: (line: Record<string, unknown>) => void;
  logRequests?: boolean;
}

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  live: LiveSession | null;
  registry: ModelRegistry;
  close(): Promise<void>;
}

/** Read a bearer token from a file (one line; at least 16 characters). */
export async function readTokenFile(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new GrpoTraderError(ErrorCodes.notFound, `cannot read the token file (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { location: { file: path } });
  }
  const token = text.trim();
  if (token.length < 16 || /\s/.test(token)) throw new GrpoTraderError(ErrorCodes.invalidArgument, 'the token must be one line of at least 16 characters without spaces', { location: { file: path } });
  return token;
}

const DAY_MS = 86_400_000;

/** A polling feed over the Yahoo or ccxt connector for the model's symbols (which the source must list, in order). */
async function pollingSource(spec: Exclude<LiveSourceSpec, { kind: 'replay' }>, modelSymbols: readonly string[], options: StartServerOptions, onEvent: (event: SourceEvent) => void): Promise<MarketDataSource> {
  if (spec.symbols.join(',') !== modelSymbols.join(',')) {
    throw new GrpoTraderError(ErrorCodes.invalidArgument, `--live ${spec.kind}: the symbols ${spec.symbols.join(',')} are not the model's (${modelSymbols.join(',')}, in this order)`, { location: { field: 'live' } });
  }
  const { createYahooConnector, createCcxtConnector, parseDate } = await import('../data/index.js');
  const connector = spec.kind === 'yahoo' ? await createYahooConnector() : await createCcxtConnector({ exchangeId: spec.exchange });
  const from = parseDate(options.from!, '--from'); // throws on a bad date, naming --from
  // History before the first decision for the features' warm-up and the regime detector.
  const historyFrom = from - (options.historyDays ?? 730) * DAY_MS;
  const polling = new PollingSource(connector, { symbols: spec.symbols, interval: options.interval ?? '1d', from: historyFrom, ...(options.pollMs ? { pollMs: options.pollMs } : {}), onEvent });
  if (spec.kind === 'ccxt') {
    // ccxt pro's websocket candles, where the exchange offers them, tell when to read new bars.
    const { default: ccxt } = await import('ccxt');
    const Pro = (ccxt as unknown as { pro?: Record<string, new (config: Record<string, unknown>) => WatchExchangeLike> }).pro?.[spec.exchange];
    const exchange = Pro ? new Pro({ enableRateLimit: true }) : null;
    if (exchange?.has['watchOHLCV']) return new WatchingSource(polling, exchange);
  }
  return polling;
}

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  if (options.models.length === 0) throw new GrpoTraderError(ErrorCodes.invalidArgument, 'give at least one --model', { location: { field: 'model' } });
  const token = options.tokenFile ? await readTokenFile(options.tokenFile) : null;
  const webhook = options.webhook ? parseWebhook(options.webhook) : null;
  const source = options.live ? parseLiveSource(options.live) : null;
  if (source && (!options.from || !options.stateDir)) throw new GrpoTraderError(ErrorCodes.invalidArgument, '--live needs --from DATE and --state DIR (where its crash-safe state lives)', { location: { field: 'live' } });
  const { ModelPredictor } = await import('../agents/predictor.js');
  const { initEngine } = await import('../nn/index.js');
  await initEngine({ threads: 1 });
  const registry = new ModelRegistry();
  let live: LiveSession | null = null;
  try {
    for (const directory of options.models) registry.add(await ModelPredictor.load(directory, undefined, { engine: options.engine ?? 'auto' }));
    if (source) {
      let session: LiveSession | null = null;
      const feed = source.kind === 'replay' ? null : await pollingSource(source, registry.get().predictor.symbols, options, (event) => (session ? session.sourceEvent(event) : options.log?.({ level: 'warn', msg: event.message })));
      // A polled feed is stale after four bar intervals without a new bar (a weekend for daily bars), unless configured.
      const staleSeconds = feed && options.alerts?.staleSeconds === undefined ? Math.max(300, (4 * intervalToMilliseconds(options.interval ?? '1d')) / 1000) : undefined;
      const rules = { ...options.alerts, ...(staleSeconds !== undefined ? { staleSeconds } : {}) };
      live = session = await LiveSession.start({
        model: options.models[0]!,
        data: source.kind === 'replay' ? source.paths : [],
        source: feed,
        from: options.from!,
        ...(options.to ? { to: options.to } : {}),
        stateDir: options.stateDir!,
        paceMs: options.paceMs ?? 0,
        options: options.online ?? {},
        store: options.store ?? null,
        rules,
        webhook,
        ...(options.log ? { log: options.log, onProgress: (line: string) => options.log!({ level: 'info', msg: line.trim() }) } : {}),
      });
    }
    const app = await buildServer({
      registry,
      token,
      live,
      rateLimitPerMinute: options.rateLimitPerMinute ?? SERVER_DEFAULTS.rateLimitPerMinute,
      bodyLimit: options.bodyLimit ?? SERVER_DEFAULTS.bodyLimit,
      logger: options.logRequests ?? false,
    });
    const url = await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 8080 });
    let closed = false;
    return {
      app,
      url,
      live,
      registry,
      async close() {
        if (closed) return;
        closed = true;
        await app.close();
        registry.dispose();
      },
    };
  } catch (error) {
    await live?.stop();
    registry.dispose();
    throw error;
  }
}
