/**
 * Deflated Sharpe ratios of walk-forward runs tried on one dataset (docs/research.md, "Real data"):
 *
 *   node --import tsx scripts/deflated-walk-forward.ts walk-forward/A/stitched.csv walk-forward/B/stitched.csv ...
 *
 * Every file is one configuration tried on the same data (`walk-forward` writes `stitched.csv`:
 * date, policy, equal_weight values). For each: the annualised Sharpe ratios of the stitched policy
 * and of equal weight, the paired t-test of their daily returns, and the deflated Sharpe ratio of the
 * policy's return in excess of equal weight's with N = the number of files (everything tried) and V
 * = the variance of their excess returns' Sharpe ratios (Bailey & López de Prado 2014).
 */
import { readFileSync } from 'node:fs';
import { returnsFromValues } from '../src/backtest/metrics.js';
import { deflatedSharpeRatio, pairedTTest, periodSharpe } from '../src/backtest/statistics.js';
import { sampleStd } from '../src/core/arrays.js';

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('usage: deflated-walk-forward.ts STITCHED.csv [STITCHED.csv ...]\n');
  process.exit(64);
}
/** One line on stderr and the exit status, never a stack trace. */
function fail(message: string, status: number): never {
  process.stderr.write(`deflated-walk-forward: ${message}\n`);
  process.exit(status);
}
const runs = files.map((file) => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    fail(`${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, 66);
  }
  const rows = text.trim().split('\n').slice(1).map((line) => line.split(','));
  if (rows.length < 3) fail(`${file}: fewer than 3 rows of date,policy,equal_weight`, 65);
  rows.forEach((row, k) => {
    if (row.length !== 3 || !(Number(row[1]) > 0) || !(Number(row[2]) > 0)) fail(`${file}: row ${k + 2}: expected date,policy,equal_weight with positive values, got "${row.join(',').slice(0, 80)}"`, 65);
  });
  const policy = returnsFromValues(rows.map((r) => Number(r[1])));
  const equal = returnsFromValues(rows.map((r) => Number(r[2])));
  return { file, from: rows[0]![0], to: rows.at(-1)![0], policy, equal, excess: policy.map((r, i) => r - equal[i]!) };
});
const excessSharpes = runs.map((run) => periodSharpe(run.excess));
const variance = runs.length > 1 ? sampleStd(excessSharpes) ** 2 : 0;
const annual = Math.sqrt(252);
for (const run of runs) {
  const t = pairedTTest(run.policy, run.equal);
  const dsr = deflatedSharpeRatio(run.excess, runs.length, variance);
  process.stdout.write(
    `${run.file}: ${run.from} .. ${run.to}, ${run.policy.length} days; Sharpe ${(periodSharpe(run.policy) * annual).toFixed(2)} vs equal weight ${(periodSharpe(run.equal) * annual).toFixed(2)}; paired t p ${t.pValue.toFixed(3)}; deflated Sharpe of the excess return ${dsr.deflatedSharpe.toFixed(3)} (N ${runs.length}, SR0 ${(dsr.expectedMaxSharpe * annual).toFixed(2)} a year)\n`,
  );
}
