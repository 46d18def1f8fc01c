/**
 * `grpo-trader explain --model DIR --data PATHS --date D [--json]`: what a deepseek policy attended to
 * for one decision — feature-attention weights per asset and feature (averaged over the window, and
 * per bar with --json), each asset's share, and the decision's attention over the window's bars.
 */
import type { Command } from 'commander';
import { explainDecision, loadModelMarket, modelFeatures, readModel } from '../../backtest/model-backtest.js';
import { invalidArgument } from '../../core/errors.js';
import type { CliIo } from '../output.js';
import { formatNumber, formatTable, parseList, toJson } from './backtest-common.js';

interface ExplainFlags {
  model: string;
  data: string[];
  date: string;
  symbols?: string;
  checkpoint?: string;
  top?: string;
  json?: boolean;
}

export function registerExplain(program: Command, io: CliIo): void {
  program
    .command('explain')
    .description('Explain one decision of a model trained with algorithm.policy: deepseek: its feature attention per asset and feature, and its attention over the window')
    .requiredOption('--model <dir>', 'output directory of grpo-trader train (its best/ checkpoint by default)')
    .requiredOption('--data <paths...>', 'OHLCV files or directories holding the model\'s symbols')
    .requiredOption('--date <date>', 'the decision at this date\'s close (or the last bar before it), taken from a cash portfolio')
    .option('--symbols <list>', 'the model\'s symbols (default: read from the model)')
    .option('--checkpoint <which>', 'best (default when present), latest, an update number, or a checkpoint directory')
    .option('--top <n>', 'how many asset·feature pairs to list (default 10)')
    .option('--json', 'print the whole explanation as JSON (per-bar weights included)')
    .action(async (flags: ExplainFlags) => {
      const top = flags.top === undefined ? 10 : Number(flags.top);
      if (!Number.isInteger(top) || top < 1) throw invalidArgument(`--top must be a positive integer, got "${flags.top}"`);
      const info = await readModel(flags.model, flags.checkpoint);
      const { market } = await loadModelMarket(info, flags.data, flags.symbols === undefined ? null : parseList('--symbols', flags.symbols));
      const decision = await explainDecision(info, market, modelFeatures(info, market), flags.date);
      const A = decision.symbols.length;
      const F = decision.features.length;
      if (flags.json) {
        io.stdout(
          `${toJson({
            model: { directory: info.directory, checkpoint: info.checkpoint, update: info.update },
            date: decision.date,
            symbols: decision.symbols,
            features: decision.features,
            lookback: decision.lookback,
            action: decision.action,
            weights: decision.weights,
            asset_importance: Array.from(decision.assetImportance),
            feature_importance: decision.symbols.map((_, a) => Array.from(decision.featureImportance.subarray(a * F, (a + 1) * F))),
            importance_by_bar: Array.from({ length: decision.lookback }, (_, t) => decision.symbols.map((_, a) => Array.from(decision.importance.subarray((t * A + a) * F, (t * A + a + 1) * F)))),
            temporal: Array.from(decision.temporal),
            note: 'attention weights of the network for this decision: what it weighted, not a causal attribution',
          })}\n`,
        );
        return;
      }
      io.stdout(`decision at the close of ${decision.date} (from a cash portfolio), model ${info.directory} (${info.checkpointLabel}, update ${info.update})\n\n`);
      io.stdout(formatTable(['asset', 'action', 'target weight', 'attention share'], decision.symbols.map((symbol, a) => [symbol, formatNumber(decision.action[a]!, 4), formatNumber(decision.weights[a]!, 4), formatNumber(decision.assetImportance[a]!, 4)])));
      const pairs = decision.symbols.flatMap((symbol, a) => decision.features.map((feature, f) => ({ symbol, feature, weight: decision.featureImportance[a * F + f]! })));
      pairs.sort((x, y) => y.weight - x.weight);
      io.stdout(`\ntop ${Math.min(top, pairs.length)} of ${pairs.length} asset·feature weights (feature attention, averaged over the ${decision.lookback}-bar window; all sum to 1):\n`);
      io.stdout(formatTable(['asset', 'feature', 'weight'], pairs.slice(0, top).map((p) => [p.symbol, p.feature, formatNumber(p.weight, 4)])));
      io.stdout(`\nattention over the window (oldest first, t-0 = ${decision.date}): ${Array.from(decision.temporal, (w, t) => `t-${decision.lookback - 1 - t} ${formatNumber(w, 3)}`).join('  ')}\n`);
      io.stdout('These are the network\'s attention weights for this decision: what it weighted, not a causal attribution (see docs/agents.md).\n');
    });
}
