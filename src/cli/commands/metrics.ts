/**
 * `grpo-trader metrics --equity FILE.csv [--benchmark FILE.csv] [--periods-per-year N] [--risk-free R] [--json]`:
 * the performance metrics of an equity curve (`date,value`), and relative to a benchmark curve.
 */
import type { Command } from 'commander';
import { alignBenchmark, parseEquityCsv } from '../../backtest/equity-csv.js';
import { computeBenchmarkMetrics, computeMetrics } from '../../backtest/metrics.js';
import { formatTimestamp } from '../../data/dates.js';
import type { CliIo } from '../output.js';
import { formatNumber, formatTable, numberFlag, readTextFile, toJson } from './backtest-common.js';

interface MetricsFlags {
  equity: string;
  benchmark?: string;
  periodsPerYear?: string;
  riskFree?: string;
  json?: boolean;
}

/** The metrics object printed by the command: 8.2's names, plus the benchmark-relative ones with --benchmark. */
export async function metricsFromFiles(flags: MetricsFlags): Promise<{ metrics: Record<string, number>; first: string; last: string }> {
  const periodsPerYear = numberFlag('--periods-per-year', flags.periodsPerYear, 252, { min: 0, exclusiveMin: true });
  const riskFree = numberFlag('--risk-free', flags.riskFree, 0);
  const equity = parseEquityCsv(await readTextFile(flags.equity, 'equity'), flags.equity);
  const options = { periodsPerYear, riskFree };
  const metrics: Record<string, number> = { ...computeMetrics(equity.value, options) };
  if (flags.benchmark !== undefined) {
    const benchmark = parseEquityCsv(await readTextFile(flags.benchmark, 'benchmark'), flags.benchmark);
    Object.assign(metrics, computeBenchmarkMetrics(equity.value, alignBenchmark(equity, benchmark, flags.benchmark), options));
  }
  return { metrics, first: formatTimestamp(equity.time[0]!), last: formatTimestamp(equity.time[equity.time.length - 1]!) };
}

export function registerMetrics(program: Command, io: CliIo): void {
  program
    .command('metrics')
    .description('Performance metrics of an equity curve (CSV date,value), optionally against a benchmark curve')
    .requiredOption('--equity <file>', 'equity CSV with columns date,value (other columns ignored)')
    .option('--benchmark <file>', 'benchmark CSV date,value; must hold every equity date')
    .option('--periods-per-year <n>', 'periods per year for annualising (default 252; 8760 for hourly crypto)')
    .option('--risk-free <rate>', 'annual risk-free rate (default 0)')
    .option('--json', 'print one JSON object whose keys are the metric names (NaN/Infinity as null)')
    .action(async (flags: MetricsFlags) => {
      const { metrics, first, last } = await metricsFromFiles(flags);
      if (flags.json) {
        io.stdout(`${toJson(metrics)}\n`);
        return;
      }
      io.stdout(`${flags.equity}: ${first} .. ${last}\n`);
      io.stdout(formatTable(['metric', 'value'], Object.entries(metrics).map(([name, value]) => [name, name === 'periods' ? String(value) : formatNumber(value, 6)])));
    });
}
