/**
 * `grpo-trader learn-check`: the planted-market suite — does the agent find the edge where one is
 * planted and claim none on the null market? A thin adapter over `runLearnCheck` (src/app): flags →
 * one suite run → the table, the page and one `learn_check` run in the store.
 */
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { invalidArgument } from '../../core/errors.js';
import { prepareOutputDirectory, writeFileAtomic } from '../../core/fs.js';
import { PLANTED_MARKET_NAMES, type PlantedMarketName } from '../../data/planted-markets.js';
import type { CliIo } from '../output.js';
import { formatTable, numberFlag, parseList, toJson } from './backtest-common.js';
import { storeInput } from './output-options.js';
import { storeOption, withRunStore } from './store-option.js';

interface LearnCheckFlags {
  config?: string;
  markets?: string;
  seeds?: string;
  firstRun?: string;
  updates?: string;
  quick?: boolean;
  fixedMarket?: boolean;
  out?: string;
  store?: string;
  json?: boolean;
}

/** Run the suite as the flags ask; returns what the command prints with --json. */
export async function runLearnCheckCommand(flags: LearnCheckFlags, io: CliIo) {
  const { LEARN_CHECK_DEFAULTS, LEARN_CHECK_LIMITS, recordLearnCheck, runLearnCheck } = await import('../../app/learn-check.js');
  const { writeLearnCheckReport } = await import('../../app/learn-check-report.js');
  const quick = flags.quick === true;
  const seeds = numberFlag('--seeds', flags.seeds, quick ? LEARN_CHECK_DEFAULTS.quick.seeds : LEARN_CHECK_DEFAULTS.seeds, { min: 1, integer: true, max: LEARN_CHECK_LIMITS.seeds });
  const firstRun = numberFlag('--first-run', flags.firstRun, 0, { min: 0, integer: true, max: LEARN_CHECK_LIMITS.firstRun });
  const updatesFlag = flags.updates ?? (quick ? String(LEARN_CHECK_DEFAULTS.quick.updates) : undefined);
  const updates = updatesFlag === undefined ? undefined : numberFlag('--updates', updatesFlag, 0, { min: 1, integer: true, max: LEARN_CHECK_LIMITS.updates });
  let markets: PlantedMarketName[] = [...PLANTED_MARKET_NAMES];
  if (flags.markets !== undefined) {
    markets = parseList('--markets', flags.markets) as PlantedMarketName[];
    const unknown = markets.find((name) => !(PLANTED_MARKET_NAMES as readonly string[]).includes(name));
    if (unknown !== undefined) throw invalidArgument(`--markets: unknown market "${unknown}"; known: ${PLANTED_MARKET_NAMES.join(', ')}`);
  }
  const { loadTrainConfigFile, parseTrainConfig } = await import('../../agents/index.js');
  const config = flags.config === undefined ? parseTrainConfig({}, 'the schema defaults') : await loadTrainConfigFile(resolve(flags.config));
  const out = resolve(flags.out ?? LEARN_CHECK_DEFAULTS.out);
  // Only a previous suite's output is replaced; anything else in --out is the user's.
  await prepareOutputDirectory(out, {
    option: '--out',
    existing: 'replace',
    what: "a previous learn-check's output",
    markers: ['learn-check.json', ...PLANTED_MARKET_NAMES.map((name) => join('models', name))],
    inputs: [...(flags.config === undefined ? [] : [{ option: '--config', path: resolve(flags.config) }]), storeInput(flags.store)],
  });
  io.progress(`learn-check: ${markets.length} planted SYNTHETIC market(s) × ${seeds} run(s), ${updates ?? config.training.updates} updates each, ${config.algorithm.type} with the ${config.algorithm.policy} policy (${flags.config === undefined ? 'schema defaults' : flags.config})\n`);
  const result = await runLearnCheck({
    config,
    configFile: flags.config === undefined ? null : resolve(flags.config),
    markets,
    seeds,
    firstRun,
    ...(updates === undefined ? {} : { updates }),
    fixedMarket: flags.fixedMarket === true,
    outDir: out,
    onProgress: (line) => io.progress(line),
  });
  const report = await writeLearnCheckReport(result, out);
  const json = join(out, 'learn-check.json');
  await writeFileAtomic(json, `${toJson(result)}\n`);
  const { runId, storePath } = await withRunStore(flags.store, (store) => ({ runId: recordLearnCheck(store, result, { report, result: json, out_dir: out, models: join(out, 'models') }), storePath: store.path }));
  return { ...result, run_id: runId, store: storePath, report };
}

export function registerLearnCheck(program: Command, io: CliIo): void {
  storeOption(
    program
      .command('learn-check')
      .description('The planted-market suite: train the agent on seeded SYNTHETIC markets with a known edge (momentum, mean reversion, lead–lag, volatility regimes) and none (null); compare its test Sharpe with the best simple rule, the oracle and equal weight; recorded in the run store with an HTML page'),
  )
    .option('--config <file>', 'training config (JSON or YAML) to check (default: the schema defaults); its data paths and splits are replaced by each planted market\'s')
    .option('--markets <list>', `comma-separated markets (default all: ${PLANTED_MARKET_NAMES.join(',')})`)
    .option('--seeds <n>', 'runs per market: run k trains with seed config.seed + k on a new market (default 5; --quick 2)')
    .option('--first-run <k>', 'index of the first run (default 0): runs k .. k + seeds − 1, fresh markets and seeds beyond those of runs 0 .. k − 1')
    .option('--updates <n>', "training updates per run (default the config's; --quick 50)")
    .option('--quick', 'fewer runs and updates (2 runs × 50 updates): the CI budget')
    .option('--fixed-market', "one market per name (its default seed) for every run, instead of a new market per run")
    .option('--out <dir>', "output directory: models/, report.html, learn-check.json (default ./grpo-trader-learn-check; a previous suite's output there is replaced)")
    .option('--json', 'print the whole result as one JSON object')
    .action(async (flags: LearnCheckFlags) => {
      const result = await runLearnCheckCommand(flags, io);
      if (flags.json) {
        io.stdout(`${toJson(result)}\n`);
        return;
      }
      const { learnCheckTable } = await import('../../app/learn-check.js');
      const s = result.splits;
      io.stdout(`Planted SYNTHETIC markets (not real prices), ${result.options.assets} assets × ${result.options.bars} business days; ${result.options.seeds} run(s) per market, ${result.options.updates} updates each.\n`);
      io.stdout(`Splits: train ${s.train.from} .. ${s.train.to} | validation ${s.validation.from} .. ${s.validation.to} (model and rule selection) | test ${s.test.from} .. ${s.test.to} (${result.testBars} bars, out of sample)\n\n`);
      io.stdout('Test Sharpe ratios (annualised, medians over runs, same accounting and costs for every column):\n\n');
      const table = learnCheckTable(result);
      io.stdout(formatTable(table.header, table.rows));
      io.stdout(`\nsignif.: runs whose agent beats equal weight by a paired t-test of daily returns (two-sided p < ${result.options.alpha}, agent ahead); on the null market each is a false positive.\n\n`);
      for (const m of result.markets) io.stdout(`${m.market}: ${m.verdict.text}\n`);
      io.stdout(`\nReport: ${result.report}\nRun ${result.run_id} recorded in ${result.store} — grpo-trader runs show ${result.run_id}; grpo-trader report ${result.run_id}\nWall time: ${result.seconds.toFixed(1)} s\n`);
    });
}
