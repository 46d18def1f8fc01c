import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktest } from '../backtest/run-backtest.js';
import { smaCross, buyAndHold } from '../backtest/strategies/index.js';
import { summarizeBacktest, flattenSummary } from '../backtest/summarize.js';
import { marketFromCloses } from '../backtest/test-helpers.js';
import { RunStore } from './run-store.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'grpo-store-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const closes = Array.from({ length: 80 }, (_, t) => 100 + 10 * Math.sin(t / 6));
const market = marketFromCloses(['A', 'B'], [closes, closes.map((c) => 200 - c)]);

function record(store: RunStore) {
  const cross = runBacktest(market, smaCross({ fast: 3, slow: 8 }), { tradingCost: 0.001 });
  const hold = runBacktest(market, buyAndHold());
  return {
    cross,
    hold,
    id: store.recordRun({
      kind: 'compare',
      name: 'test run',
      period: cross.period,
      config: { strategies: ['sma_cross', 'buy_and_hold'], tradingCost: 0.001 },
      data: { symbols: ['A', 'B'] },
      series: [
        { name: 'sma_cross', result: cross, metrics: flattenSummary(summarizeBacktest(cross, market)) },
        { name: 'buy_and_hold', result: hold, metrics: flattenSummary(summarizeBacktest(hold, market)) },
      ],
      tests: [{ strategy: 'sma_cross', baseline: 'buy_and_hold', p: 0.5 } as { strategy: string; baseline: string }],
      extra: { note: 'x', infinite: Number.POSITIVE_INFINITY },
    }),
  };
}

describe('RunStore', () => {
  it('records a run and reads back its curves, weights, trades and metrics exactly', () => {
    const path = join(dir, 'a', 'runs.sqlite');
    const store = RunStore.open(path, { now: () => new Date('2026-01-02T03:04:05Z') });
    const { cross, hold, id } = record(store);
    store.close();
    const again = RunStore.open(path, { mustExist: true });
    const run = again.getRun(id);
    expect(run).toMatchObject({ id, kind: 'compare', name: 'test run', created_at: '2026-01-02T03:04:05.000Z', split: 'all', first_date: '2020-01-01', bars: 80, series: ['sma_cross', 'buy_and_hold'] });
    expect(run.config).toEqual({ strategies: ['sma_cross', 'buy_and_hold'], tradingCost: 0.001 });
    expect(run.extra).toEqual({ note: 'x', infinite: Number.POSITIVE_INFINITY });
    expect(run.metrics.sma_cross!.final_value).toBe(cross.value[79]);
    expect(Number.isNaN(run.metrics.buy_and_hold!.trade_win_rate)).toBe(true);
    expect(run.trades).toEqual({ sma_cross: cross.trades.count, buy_and_hold: 2 });
    expect(run.tests).toEqual([{ strategy: 'sma_cross', baseline: 'buy_and_hold', p: 0.5 }]);
    const [first, second] = again.series(id);
    expect(first!.name).toBe('sma_cross');
    expect(Array.from(first!.value)).toEqual(Array.from(cross.value));
    expect(Array.from(first!.weights)).toEqual(Array.from(cross.weights));
    expect(Array.from(second!.time)).toEqual(Array.from(hold.time));
    const trades = again.trades(id, 'sma_cross');
    expect(trades).toHaveLength(cross.trades.count);
    expect(trades[0]).toEqual({ date: '2020-01-08', bar: 7, symbol: expect.any(String), weight_before: 0, weight_after: 0.5, notional: expect.any(Number), cost: expect.any(Number) });
    again.close();
  });

  it('lists runs newest first, filters by kind, indexes checkpoints and deletes with everything attached', () => {
    const store = RunStore.open(join(dir, 'b.sqlite'));
    const first = record(store).id;
    const second = record(store).id;
    expect(store.listRuns().map((r) => r.id)).toEqual([second, first]);
    expect(store.listRuns({ limit: 1 }).map((r) => r.id)).toEqual([second]);
    expect(store.listRuns({ kind: 'train' })).toEqual([]);
    store.addCheckpoint(first, { step: 200, path: 'checkpoints/200', metrics: { loss: 0.5 } });
    store.addCheckpoint(first, { step: 100, path: 'checkpoints/100' });
    expect(store.getRun(first).checkpoints.map((c) => [c.step, c.path, c.metrics])).toEqual([[100, 'checkpoints/100', {}], [200, 'checkpoints/200', { loss: 0.5 }]]);
    store.deleteRun(first);
    expect(() => store.getRun(first)).toThrow(/no run \d+ in the store/);
    expect(() => store.series(first)).toThrow(/no run/);
    expect(store.listRuns().map((r) => r.id)).toEqual([second]);
    expect(() => store.addCheckpoint(999, { step: 1, path: 'x' })).toThrow(/no run 999/);
    store.close();
  });

  it('refuses a missing store when asked to open an existing one, and a file that is not a store', async () => {
    expect(() => RunStore.open(join(dir, 'missing', 'none.sqlite'), { mustExist: true })).toThrow(/no run store here/);
    const junk = join(dir, 'junk.sqlite');
    await writeFile(junk, 'this is not a database, just some text that is long enough to be a header '.repeat(20));
    expect(() => RunStore.open(junk)).toThrow(/not a grpo-trader run store/);
  });
});
