import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktest } from '../run-backtest.js';
import { buyAndHold, smaCross } from '../strategies/index.js';
import { marketFromCloses } from '../test-helpers.js';
import { checkPageInChromium, findChromium } from './chromium.js';
import { buildReportPayload, type ReportInput } from './report-data.js';
import { renderReportHtml } from './render-html.js';

const closes = Array.from({ length: 120 }, (_, t) => 100 + 10 * Math.sin(t / 9) + t / 10);
const market = marketFromCloses(['A', 'B'], [closes, closes.map((c) => 220 - c)]);

function input(name = 'sma_cross'): ReportInput {
  const a = runBacktest(market, smaCross({ fast: 5, slow: 20 }));
  const b = runBacktest(market, buyAndHold());
  return {
    title: 'test report',
    run: { id: 3, kind: 'compare', name: 'unit', split: 'evaluation', first: a.period.first, last: a.period.last, bars: a.period.bars, config: { strategies: [name, 'buy_and_hold'] } },
    series: [
      { name, symbols: a.symbols, time: a.time, value: a.value, weights: a.weights, metrics: { sharpe_ratio: 1.5, profit_factor: Number.POSITIVE_INFINITY, win_rate: Number.NaN } },
      { name: 'buy_and_hold', symbols: b.symbols, time: b.time, value: b.value, weights: b.weights, metrics: { sharpe_ratio: 0.5 } },
    ],
    tests: [],
    deflatedSharpe: [],
  };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'grpo-report-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('report HTML', () => {
  it('builds a payload of drawdowns, returns and weights on the run\'s dates', () => {
    const payload = buildReportPayload(input());
    expect(payload.dates[0]).toBe('2020-01-01');
    expect(payload.dates).toHaveLength(120);
    const hold = payload.series[1]!;
    expect(hold.returns).toHaveLength(119);
    expect(Math.min(...hold.drawdown)).toBeLessThanOrEqual(0);
    expect(hold.weights.rows[0]).toEqual([0.5, 0.5]);
    expect(payload.series[0]!.metrics.win_rate).toBeNull();
    expect(payload.windows).toEqual([]);
    const windows = [{ index: 0, train_first: '2019-01-01', train_last: '2019-12-31', test_first: '2020-01-01', test_last: '2020-04-29' }];
    expect(buildReportPayload({ ...input(), windows }).windows).toEqual(windows);
  });

  it('is self-contained: the chart library and data inlined, nothing fetched, script-breaking text escaped', () => {
    const html = renderReportHtml(input('</script><b>x'));
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+href=/);
    expect(html).toContain('echarts');
    expect(html).toContain('2020-01-01 .. 2020-04-29');
    // The payload script element holds valid JSON even with a hostile series name.
    const json = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect(JSON.parse(json).series[0].name).toBe('</script><b>x');
    expect(JSON.parse(json).series[0].metrics.profit_factor).toBe('Infinity');
  });

  it.skipIf(!findChromium())('renders in headless Chromium with every chart drawn and no console error', async () => {
    const path = join(dir, 'report.html');
    await writeFile(path, renderReportHtml(input()));
    const check = await checkPageInChromium(path);
    expect(check).toMatchObject({ ok: true, renderStatus: 'ok', pageErrors: 0, consoleErrors: [] });
    expect(check.canvases).toBe(4);
  }, 60_000);

  it.skipIf(!findChromium())('the Chromium check catches a page that throws', async () => {
    const path = join(dir, 'broken.html');
    const html = renderReportHtml(input()).replace('<script type="application/json"', '<script>undefinedFunction();</script>\n<script type="application/json"');
    await writeFile(path, html);
    const check = await checkPageInChromium(path);
    expect(check.ok).toBe(false);
    expect(check.consoleErrors.join('\n')).toMatch(/undefinedFunction/);
    expect(await readFile(path, 'utf8')).toContain('undefinedFunction');
  }, 60_000);
});
