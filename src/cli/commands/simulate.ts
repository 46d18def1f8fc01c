/**
 * `grpo-trader simulate`: apply a CSV of target weights to market data through the multi-asset
 * environment's accounting and write the equity curve. A weights row dated d is acted on at d's
 * close (normalised as 4.2.3, always rebalanced to); between rows the weights drift with prices.
 */
import type { Command } from 'commander';
import { ErrorCodes, GrpoTraderError, excerpt, invalidArgument } from '../../core/errors.js';
import { checkOutputFile, writeFileAtomic } from '../../core/fs.js';
import { formatTimestamp, parseTimestamp } from '../../data/dates.js';
import { loadMarket } from '../../data/index.js';
import type { MarketData } from '../../data/types.js';
import { simulateDefaults, simulateWeights, type SimulateWeightsOptions, type SimulationResult, type WeightRows } from '../../env/index.js';
import type { CliIo } from '../output.js';
import { readTextFile } from './backtest-common.js';
import { dataInputs, overwriteOption } from './output-options.js';

interface SimulateFlags {
  data: string[];
  weights: string;
  output: string;
  initialCapital?: string;
  tradingCost?: string;
  slippage?: string;
  maxPositionSize?: string;
  maxAssetWeight?: string;
  cashRate?: string;
  borrowCost?: string;
  periodsPerYear?: string;
  overwrite?: boolean;
  json?: boolean;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function numberFlag(flag: string, text: string | undefined, fallback: number, minimum: number, exclusive: boolean): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!NUMBER.test(text.trim()) || !Number.isFinite(value) || value < minimum || (exclusive && value === minimum)) {
    throw invalidArgument(`${flag} must be a number ${exclusive ? '>' : '>='} ${minimum}, got "${text}"`);
  }
  return value;
}

/** Validate the numeric flags into simulation options. */
export function simulateOptionsFromFlags(flags: Omit<SimulateFlags, 'data' | 'weights' | 'output' | 'overwrite'>): Required<SimulateWeightsOptions> {
  const d = simulateDefaults;
  return {
    initialCapital: numberFlag('--initial-capital', flags.initialCapital, d.initialCapital, 0, true),
    tradingCost: numberFlag('--trading-cost', flags.tradingCost, d.tradingCost, 0, false),
    slippage: numberFlag('--slippage', flags.slippage, d.slippage, 0, false),
    maxPositionSize: numberFlag('--max-position-size', flags.maxPositionSize, d.maxPositionSize, 0, true),
    maxAssetWeight: numberFlag('--max-asset-weight', flags.maxAssetWeight, d.maxAssetWeight, 0, true),
    cashRate: numberFlag('--cash-rate', flags.cashRate, d.cashRate, Number.NEGATIVE_INFINITY, false),
    borrowCost: numberFlag('--borrow-cost', flags.borrowCost, d.borrowCost, 0, false),
    periodsPerYear: numberFlag('--periods-per-year', flags.periodsPerYear, d.periodsPerYear, 0, true),
  };
}

/**
 * Parse a weights CSV (`date`, then one column per symbol) against the market: unknown symbols,
 * dates that are not bars of the data, repeated or unsorted dates and non-numeric cells are errors
 * naming file, line, column and value. Symbols without a column get weight 0.
 */
export function parseWeightsCsv(text: string, market: MarketData, file: string): WeightRows {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  if (lines.length === 0) throw new GrpoTraderError(ErrorCodes.invalidData, 'weights file is empty', { location: { file } });
  const unquote = (cell: string) => {
    const trimmed = cell.trim();
    return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1).replace(/""/g, '"') : trimmed;
  };
  const header = lines[0]!.split(',').map(unquote);
  if (header[0]!.toLowerCase() !== 'date') {
    throw new GrpoTraderError(ErrorCodes.invalidData, 'the first column of a weights file must be "date"', { location: { file, line: 1, field: header[0] } });
  }
  const nAssets = market.symbols.length;
  const columnAsset: number[] = [];
  const seen = new Set<string>();
  for (let c = 1; c < header.length; c++) {
    const symbol = header[c]!;
    const asset = market.symbols.indexOf(symbol);
    if (asset < 0) {
      throw new GrpoTraderError(ErrorCodes.invalidData, `weights column ${JSON.stringify(excerpt(symbol))} is not a symbol of the market data (${market.symbols.join(', ')})`, { location: { file, line: 1, field: symbol } });
    }
    if (seen.has(symbol)) throw new GrpoTraderError(ErrorCodes.invalidData, `weights column ${symbol} appears twice`, { location: { file, line: 1, field: symbol } });
    seen.add(symbol);
    columnAsset.push(asset);
  }
  const rowCount = lines.length - 1;
  if (rowCount === 0) throw new GrpoTraderError(ErrorCodes.invalidData, 'weights file has a header but no rows', { location: { file } });
  const time = new Float64Array(rowCount);
  const weights = new Float64Array(rowCount * nAssets);
  const first = market.time[0]!;
  const last = market.time[market.time.length - 1]!;
  for (let r = 0; r < rowCount; r++) {
    const line = r + 2;
    const cells = lines[r + 1]!.split(',').map(unquote);
    if (cells.length !== header.length) {
      throw new GrpoTraderError(ErrorCodes.invalidData, `row has ${cells.length} cells, the header has ${header.length}`, { location: { file, line } });
    }
    const ms = parseTimestamp(cells[0]!, 'iso');
    if (Number.isNaN(ms)) throw new GrpoTraderError(ErrorCodes.invalidData, 'not a date (expected YYYY-MM-DD or an ISO datetime)', { location: { file, line, field: 'date', value: cells[0] } });
    if (ms < first || ms > last) {
      throw new GrpoTraderError(ErrorCodes.invalidData, `date is outside the market data (${formatTimestamp(first)} .. ${formatTimestamp(last)})`, { location: { file, line, field: 'date', value: cells[0] } });
    }
    if (r > 0 && ms <= time[r - 1]!) {
      throw new GrpoTraderError(ErrorCodes.invalidData, ms === time[r - 1] ? 'date repeats the previous row' : 'dates must be increasing', { location: { file, line, field: 'date', value: cells[0] } });
    }
    time[r] = ms;
    for (let c = 1; c < cells.length; c++) {
      const cell = cells[c]!;
      const value = Number(cell);
      if (!NUMBER.test(cell) || !Number.isFinite(value)) {
        throw new GrpoTraderError(ErrorCodes.invalidData, 'weight is not a number', { location: { file, line, field: header[c], value: cell } });
      }
      weights[r * nAssets + columnAsset[c - 1]!] = value;
    }
  }
  return { time, weights };
}

/** `date,value,cost,turnover`, one row per bar from the first weights date. */
export function formatEquityCsv(result: SimulationResult): string {
  const lines = ['date,value,cost,turnover'];
  for (let i = 0; i < result.time.length; i++) {
    lines.push(`${formatTimestamp(result.time[i]!)},${result.value[i]},${result.cost[i]},${result.turnover[i]}`);
  }
  return `${lines.join('\n')}\n`;
}

export function registerSimulate(program: Command, io: CliIo): void {
  overwriteOption(program.command('simulate'), 'the --output file')
    .description('Apply target weights (CSV: date, then one column per symbol) through the multi-asset accounting and write the equity curve')
    .requiredOption('--data <paths...>', 'OHLCV files or directories (aligned on common dates)')
    .requiredOption('--weights <file>', 'weights CSV: a row dated d is acted on at d\'s close')
    .requiredOption('--output <file>', 'equity CSV to write: date,value,cost,turnover')
    .option('--initial-capital <amount>', `starting portfolio value (default ${simulateDefaults.initialCapital})`)
    .option('--trading-cost <fraction>', `commission per unit of traded notional (default ${simulateDefaults.tradingCost})`)
    .option('--slippage <fraction>', `slippage per unit of traded notional (default ${simulateDefaults.slippage})`)
    .option('--max-position-size <gross>', `cap on Σ|w| (default ${simulateDefaults.maxPositionSize})`)
    .option('--max-asset-weight <weight>', `cap on each |w| (default ${simulateDefaults.maxAssetWeight})`)
    .option('--cash-rate <annual>', 'annual rate earned by cash 1 − Σw (default 0)')
    .option('--borrow-cost <annual>', 'annual rate paid on short notional (default 0)')
    .option('--periods-per-year <bars>', `bars per year for the two rates (default ${simulateDefaults.periodsPerYear})`)
    .option('--json', 'print a JSON summary on stdout')
    .action(async (flags: SimulateFlags) => {
      const options = simulateOptionsFromFlags(flags);
      const inputs = [...(await dataInputs('--data', flags.data)), { option: '--weights', path: flags.weights }];
      await checkOutputFile(flags.output, { option: '--output', inputs, overwrite: flags.overwrite === true });
      const { market } = await loadMarket(flags.data);
      io.progress(`simulate: ${market.symbols.length} assets, ${market.time.length} bars\n`);
      const text = await readTextFile(flags.weights, 'weights');
      const rows = parseWeightsCsv(text, market, flags.weights);
      let result: SimulationResult;
      try {
        result = simulateWeights(market, rows, options);
      } catch (error) {
        if (error instanceof GrpoTraderError && error.location) throw new GrpoTraderError(error.code, error.message, { location: { ...error.location, file: flags.weights } });
        throw error;
      }
      await writeFileAtomic(flags.output, formatEquityCsv(result));
      const n = result.time.length;
      const finalValue = result.value[n - 1]!;
      const totalCost = result.cost.reduce((sum, c) => sum + c, 0);
      const summary = {
        output: flags.output,
        rows: n,
        first: formatTimestamp(result.time[0]!),
        last: formatTimestamp(result.time[n - 1]!),
        rebalances: rows.time.length,
        initialCapital: options.initialCapital,
        finalValue,
        totalReturn: finalValue / options.initialCapital - 1,
        totalCost,
        options,
      };
      if (flags.json) io.stdout(`${JSON.stringify(summary)}\n`);
      else io.stdout(`${flags.output}: ${n} rows ${summary.first} .. ${summary.last}, final value ${finalValue.toFixed(2)} (${(summary.totalReturn * 100).toFixed(2)}%), costs ${totalCost.toFixed(2)}\n`);
    });
}
