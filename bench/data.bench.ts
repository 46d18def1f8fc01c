/**
 * data.load_all47: load and fully validate all 47 files of ../shared/data/us-equities-daily
 * (`loadOhlcv`: dialect detection, strict number and date parsing, every row check). Reference, in
 * the same run: a naive loader with no validation at all (`split('\n')`, `split(',')`, `Number`,
 * `Date.parse`), the code people write first. Also reported: `loadMarket` of the whole directory
 * (load + intersection alignment).
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadMarket, loadOhlcv } from '../src/data/index.js';
import { round, timeMedianMs, type Benchmark } from './harness.js';
import { benchData } from './harness.js';

const dataDirectory = () => benchData('us-equities-daily');

async function naiveLoad(path: string): Promise<number> {
  const lines = (await readFile(path, 'utf8')).split('\n').slice(1).filter((line) => line !== '');
  const time = new Float64Array(lines.length);
  const close = new Float64Array(lines.length);
  lines.forEach((line, i) => {
    const cells = line.split(',');
    time[i] = Date.parse(cells[0]!);
    const [open, high, low, last, volume] = cells.slice(1).map(Number);
    close[i] = last! + open! * 0 + high! * 0 + low! * 0 + volume! * 0;
  });
  return time.length;
}

export const benchmarks: Benchmark[] = [
  {
    name: 'data.load_all47',
    description: 'loadOhlcv with full validation of 47 daily files (260k rows) vs a naive split/Number/Date.parse loader',
    async run() {
      const files = (await readdir(dataDirectory())).filter((file) => file.endsWith('.csv')).sort().map((file) => join(dataDirectory(), file));
      let rows = 0;
      const ours = await timeMedianMs(async () => {
        rows = 0;
        for (const file of files) rows += (await loadOhlcv(file)).time.length;
      }, 7, 2);
      const reference = await timeMedianMs(async () => {
        for (const file of files) await naiveLoad(file);
      }, 7, 2);
      const market = await timeMedianMs(() => loadMarket([dataDirectory()]), 5, 1);
      return {
        name: 'data.load_all47',
        value: round(ours),
        unit: 'ms',
        reference: round(reference),
        reference_name: 'naive split/Number/Date.parse loader without validation',
        ratio: round(reference / ours),
        runs: 7,
        rows,
        rows_per_second: round((rows / ours) * 1000),
        load_market_ms: round(market),
      };
    },
  },
];
