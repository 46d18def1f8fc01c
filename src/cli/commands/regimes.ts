/**
 * `grpo-trader regimes --data PATHS [--symbols ...] [--symbol S] [--from D --to D] [--json]`: the
 * market regime of every bar as the detector knew it at that bar's close, its stability, and the
 * refits (a thin adapter over `detectRegimes`).
 */
import type { Command } from 'commander';
import { loadMarket, sliceByDate } from '../../data/index.js';
import { detectRegimes, REGIME_DETECTOR_DEFAULTS, REGIME_FEATURES } from '../../online/index.js';
import type { CliIo } from '../output.js';
import { formatNumber, formatTable, numberFlag, parseList, toJson } from './backtest-common.js';

interface RegimesFlags {
  data: string[];
  symbols?: string;
  symbol?: string;
  from?: string;
  to?: string;
  regimes?: string;
  refitEvery?: string;
  fitWindow?: string;
  json?: boolean;
}

export function registerRegimes(program: Command, io: CliIo): void {
  program
    .command('regimes')
    .description('Market regime of every bar, as known at its close (causal k-means on return, volatility and volume; stable labels across refits)')
    .requiredOption('--data <paths...>', 'OHLCV files or directories')
    .option('--symbols <list>', 'only these symbols (comma-separated)')
    .option('--symbol <name>', 'read the regime from this symbol (default: the equal-weight composite of the loaded symbols)')
    .option('--from <date>', 'first date (earlier data is not loaded)')
    .option('--to <date>', 'last date (inclusive)')
    .option('--regimes <k>', `number of regimes (default ${REGIME_DETECTOR_DEFAULTS.regimes})`)
    .option('--refit-every <bars>', `bars between refits (default ${REGIME_DETECTOR_DEFAULTS.refitEvery})`)
    .option('--fit-window <bars>', `feature rows the model is fitted on (default ${REGIME_DETECTOR_DEFAULTS.fitWindow})`)
    .option('--json', 'print { source, barsNeeded, note, dates, labels, stability, refits, importance, centroids } as JSON')
    .action(async (flags: RegimesFlags) => {
      const symbols = flags.symbols === undefined ? undefined : parseList('--symbols', flags.symbols);
      const { market: loaded } = await loadMarket(flags.data, { symbols });
      const market = flags.from !== undefined || flags.to !== undefined ? sliceByDate(loaded, flags.from, flags.to) : loaded;
      const options = {
        regimes: numberFlag('--regimes', flags.regimes, REGIME_DETECTOR_DEFAULTS.regimes, { min: 2, integer: true }),
        refitEvery: numberFlag('--refit-every', flags.refitEvery, REGIME_DETECTOR_DEFAULTS.refitEvery, { min: 1, integer: true }),
        fitWindow: numberFlag('--fit-window', flags.fitWindow, REGIME_DETECTOR_DEFAULTS.fitWindow, { min: 2, integer: true }),
      };
      io.progress(`regimes: ${market.symbols.length} assets, ${market.time.length} bars\n`);
      const series = detectRegimes(market, options, flags.symbol ?? null);
      if (flags.json) {
        if (series.note !== null) io.stderr(`warning: ${series.note}\n`);
        io.stdout(`${toJson(series)}\n`);
        return;
      }
      if (series.note !== null) {
        io.stdout(`regime source: ${series.source}; ${series.note}\n`);
        return;
      }
      io.stdout(`regime source: ${series.source}; label 0 = calmest … ${options.regimes - 1} = most volatile; −1 for the first ${series.barsNeeded - 1} bars (before the first fit)\n`);
      const counts = Array.from({ length: options.regimes }, (_, l) => series.labels.filter((x) => x === l).length);
      io.stdout(formatTable(['label', 'bars', 'share'], counts.map((c, l) => [String(l), String(c), formatNumber(c / Math.max(1, series.labels.filter((x) => x >= 0).length), 3)])));
      io.stdout(`\nrefits: ${series.refits.length} (${series.refits.slice(0, 3).map((r) => `${r.date} ${r.reason}${r.agreement === null ? '' : ` agreement ${formatNumber(r.agreement, 2)}`}`).join('; ')}${series.refits.length > 3 ? '; …' : ''})\n`);
      if (series.importance) {
        io.stdout(`PCA of the last fit (${REGIME_FEATURES.join(', ')}): explained variance ${series.importance.explainedVariance.map((v) => formatNumber(v, 3)).join(', ')}\n`);
      }
      const last = series.labels.length - 1;
      io.stdout(`last bar ${series.dates[last]}: regime ${series.labels[last]}, stability ${formatNumber(series.stability[last] ?? 0, 2)}\n`);
    });
}
