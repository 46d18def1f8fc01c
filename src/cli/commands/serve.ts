/**
 * `grpo-trader serve --model DIR|RUN_ID [--host 127.0.0.1] [--port 8080] [--token-file F] [--live SOURCE
 * --from D --state DIR] [--config FILE] [--demo]`: the HTTP service (predictions, analysis, models,
 * the live online-learning session, alerts, event stream, metrics, OpenAPI, dashboard) until
 * SIGINT/SIGTERM, which stops the live session after its bar in progress and saves it. A thin
 * adapter over `startServer`.
 */
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { ErrorCodes, GrpoTraderError } from '../../core/errors.js';
import { pathExists } from '../../core/fs.js';
import { loadServeConfig, MAX_DELAY_MS } from '../../server/serve-config.js';
import { startServer } from '../../server/start.js';
import type { CliIo } from '../output.js';
import { numberFlag } from './backtest-common.js';
import { DEMO_DEFAULTS, runDemo } from './demo.js';
import { storeOption, withRunStore } from './store-option.js';

interface ServeFlags {
  model?: string[];
  host?: string;
  port?: string;
  tokenFile?: string;
  live?: string;
  from?: string;
  to?: string;
  state?: string;
  pace?: string;
  interval?: string;
  poll?: string;
  config?: string;
  demo?: boolean;
  logRequests?: boolean;
  engine?: string;
  store?: string;
}

/** Resolve a --model value: a directory, or the id of a stored run that names its model directory. */
async function modelDirectory(value: string, storeFlag: string | undefined): Promise<string> {
  if (!/^\d+$/.test(value)) return resolve(value);
  return withRunStore(
    storeFlag,
    (store) => {
      const run = store.getRun(Number(value));
      const directory = run.artifacts['model_directory'] ?? (run.kind === 'train' ? (run.config as { out?: string }).out : undefined);
      if (typeof directory !== 'string') throw new GrpoTraderError(ErrorCodes.notFound, `run ${value} (${run.kind}) names no model directory`, { location: { field: 'model', value } });
      return directory;
    },
    { mustExist: true },
  );
}

export function registerServe(program: Command, io: CliIo): void {
  storeOption(
    program
      .command('serve')
      .description('HTTP service: predictions, analysis, models, the live online-learning session with monitoring and alerts, an event stream, Prometheus metrics, OpenAPI and a dashboard'),
  )
    .option('--model <dir...>', 'model directories (train --out) or stored run ids; the first is active')
    .option('--host <host>', 'address to bind (default 127.0.0.1: this machine only)')
    .option('--port <port>', 'port (default 8080; 0 picks a free one)')
    .option('--token-file <file>', 'bearer token for the routes that change state (activate a model, pause/resume the live session)')
    .option('--live <source>', 'run the online agent on a feed: replay:PATHS (stored bars replayed bar by bar), yahoo:SYMBOLS or ccxt:EXCHANGE:SYMBOLS (polled; the model\'s symbols in order)')
    .option('--interval <interval>', 'with a polled --live: the bar interval (default 1d)')
    .option('--poll <seconds>', 'with a polled --live: seconds between polls (default 60; backs off on failures)')
    .option('--from <date>', 'with --live: first date of the feed')
    .option('--to <date>', 'with --live: last date of the feed')
    .option('--state <dir>', "with --live: the session's crash-safe state (a restart resumes it)")
    .option('--pace <ms>', 'with --live: milliseconds between bars (default 0: as fast as the agent decides)')
    .option('--config <file>', 'alert rules, webhook, online agent options, pace, rate limit (YAML or JSON)')
    .option('--demo', 'serve the demo model on a replay of its synthetic test period (runs grpo-trader demo first if needed)')
    .option('--engine <engine>', 'what computes MLP policies: auto (onnxruntime-node when installed), onnx or jax', 'auto')
    .option('--log-requests', 'log every request as a JSON line on stderr')
    .action(async (flags: ServeFlags) => {
      // Every numeric option is checked before anything is loaded (or the demo is run).
      const port = numberFlag('--port', flags.port, 8080, { min: 0, max: 65_535, integer: true });
      const pollMs = flags.poll === undefined ? undefined : numberFlag('--poll', flags.poll, 60, { min: 0.001, max: MAX_DELAY_MS / 1000 }) * 1000;
      const config = flags.config ? await loadServeConfig(flags.config) : {};
      let paceMs = numberFlag('--pace', flags.pace, config.paceMs ?? 0, { min: 0, max: MAX_DELAY_MS });
      let models = await Promise.all((flags.model ?? []).map((m) => modelDirectory(m, flags.store)));
      let live = flags.live ?? null;
      let from = flags.from;
      let state = flags.state;
      if (flags.demo) {
        if (models.length > 0 || live) throw new GrpoTraderError(ErrorCodes.invalidArgument, '--demo chooses the model and the feed; it cannot be combined with --model or --live', { location: { field: 'demo' } });
        const out = resolve(DEMO_DEFAULTS.out);
        const modelDir = join(out, 'model');
        if (!(await pathExists(join(modelDir, 'data.json'), 'file')) || !(await pathExists(join(out, 'data'), 'directory'))) {
          io.progress(`serve --demo: no demo model in ${out} yet: running grpo-trader demo first\n`);
          await runDemo(flags.store ? { store: flags.store } : {}, io);
        }
        const { readTrainedModel } = await import('../../agents/index.js');
        const info = await readTrainedModel(modelDir);
        models = [modelDir];
        live = `replay:${join(out, 'data')}`;
        from = info.config.splits.test?.from ?? info.config.splits.validation?.from;
        state ??= join(out, 'live-state');
        if (flags.pace === undefined && config.paceMs === undefined) paceMs = 100;
      }
      if (models.length === 0) throw new GrpoTraderError(ErrorCodes.invalidArgument, 'give --model DIR (or --demo)', { location: { field: 'model' } });
      const engine = flags.engine ?? 'auto';
      if (engine !== 'auto' && engine !== 'onnx' && engine !== 'jax') throw new GrpoTraderError(ErrorCodes.invalidArgument, `--engine must be auto, onnx or jax, got ${JSON.stringify(engine)}`, { location: { field: 'engine', value: engine } });
      const log = (line: Record<string, unknown>) => io.progress(`${JSON.stringify({ time: new Date().toISOString(), ...line })}\n`);
      const run = async (store: Parameters<Parameters<typeof withRunStore>[1]>[0] | null) => {
        const server = await startServer({
          models,
          engine,
          host: flags.host ?? '127.0.0.1',
          port,
          tokenFile: flags.tokenFile ?? null,
          live,
          ...(from ? { from } : {}),
          ...(flags.to ? { to: flags.to } : {}),
          ...(state ? { stateDir: state } : {}),
          paceMs,
          ...(flags.interval ? { interval: flags.interval } : {}),
          ...(pollMs !== undefined ? { pollMs } : {}),
          ...(config.online ? { online: config.online } : {}),
          ...(config.alerts ? { alerts: config.alerts } : {}),
          webhook: config.webhook ?? null,
          ...(config.rateLimitPerMinute !== undefined ? { rateLimitPerMinute: config.rateLimitPerMinute } : {}),
          store,
          log,
          logRequests: flags.logRequests === true,
        });
        io.stdout(`grpo-trader serve: ${server.url} (dashboard ${server.url}/, API ${server.url}/docs); models ${server.registry.list().map((m) => m.id).join(', ')}${server.live ? `; live session on ${live}` : ''}\n`);
        await new Promise<void>((resolveStop) => {
          const stop = () => resolveStop();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        io.progress('grpo-trader serve: stopping (the live session saves its state)\n');
        await server.close();
      };
      if (live) await withRunStore(flags.store, (store) => run(store));
      else await run(null);
    });
}
