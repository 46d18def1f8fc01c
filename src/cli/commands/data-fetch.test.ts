import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeOhlcvCsv } from '../../data/index.js';
import { createCcxtConnector } from '../../data/connectors/ccxt.js';
import { createYahooConnector, type YahooChartClient, type YahooChartObject } from '../../data/connectors/yahoo.js';
import { fakeExchange, fixtureYahooClient, loadFixture } from '../../../test/fixtures/connectors/fakes.js';
import { reportError } from '../main.js';
import { memoryIo } from '../output.js';
import { realDataFetchDependencies, registerDataFetchWith, type DataFetchDependencies } from './data-fetch.js';

const aapl = loadFixture<YahooChartObject>('yahoo-chart-aapl-1d.json');
const candles = loadFixture<number[][]>('ccxt-binance-btcusdt-1h.json');
const NOW = Date.parse('2024-06-01T12:00:00Z');

let directory: string;
beforeEach(async () => { directory = await mkdtemp(join(tmpdir(), 'grpo-data-fetch-')); });
afterEach(async () => { await rm(directory, { recursive: true, force: true }); });

function dependencies(overrides: { yahoo?: YahooChartClient; exchange?: ReturnType<typeof fakeExchange> } = {}): DataFetchDependencies {
  return {
    createConnector: (source) => (source === 'yahoo'
      ? createYahooConnector({ client: overrides.yahoo ?? fixtureYahooClient({ AAPL: aapl }) })
      : createCcxtConnector({ exchange: overrides.exchange ?? fakeExchange({ 'BTC/USDT': candles }) })),
    writeCsv: writeOhlcvCsv,
    now: () => NOW,
    environment: { GRPO_TRADER_CACHE: join(directory, 'cache') },
  };
}

/** Run the command as the CLI does (commander parsing, errors mapped to one line and an exit status). */
async function run(argv: string[], deps: DataFetchDependencies = dependencies()) {
  const io = memoryIo();
  const program = new Command('grpo-trader').exitOverride().configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });
  registerDataFetchWith(deps)(program, io);
  let status = 0;
  try {
    await program.parseAsync(['data', 'fetch', ...argv], { from: 'user' });
  } catch (error) {
    status = reportError(error, io);
  }
  return { status, out: io.out, err: io.err };
}

describe('grpo-trader data fetch', () => {
  it('writes SYMBOL.csv with date,open,high,low,close,volume and reports progress per symbol', async () => {
    const out = join(directory, 'out');
    const result = await run(['--source', 'yahoo', '--symbols', 'AAPL', '--from', '2024-01-01', '--to', '2024-01-10', '--out', out]);
    expect(result.status).toBe(0);
    const csv = (await readFile(join(out, 'AAPL.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('date,open,high,low,close,volume');
    expect(csv[1]).toBe('2024-01-02,187.14999389648438,188.44000244140625,183.88999938964844,185.63999938964844,82488700');
    expect(csv.at(-1)).toBe('2024-01-10,184.35000610351562,186.39999389648438,183.9199981689453,186.19000244140625,46792900');
    expect(csv.length).toBe(7);
    expect(result.err).toContain('[1/1] AAPL: fetching 1d bars 2024-01-01..2024-01-10 from yahoo\n');
    expect(result.err).toContain('[1/1] AAPL: dropped 1 bar(s) with missing prices: 2024-01-09');
    expect(result.err).toContain(`[1/1] AAPL: 6 bars 2024-01-02..2024-01-10 (0 from cache, 6 fetched in 1 request) -> ${join(out, 'AAPL.csv')}`);
    expect(result.out).toBe('');
  });

  it('names ccxt pair files BTC-USDT.csv, caches them, and --json summarises a cache hit the second time', async () => {
    const out = join(directory, 'out');
    const argv = ['--source', 'ccxt', '--exchange', 'binance', '--symbols', 'BTC/USDT', '--interval', '1h', '--from', '2024-01-01', '--to', '2024-01-01', '--out', out, '--json'];
    const first = await run(argv);
    expect(first.status).toBe(0);
    const summary = JSON.parse(first.out);
    expect(summary.symbols[0]).toMatchObject({ symbol: 'BTC/USDT', bars: 10, cache: 'miss', fetched: 10, first: '2024-01-01T00:00:00Z', last: '2024-01-01T09:00:00Z' });
    expect(summary).toMatchObject({ source: 'ccxt/binance', interval: '1h', from: '2024-01-01', to: '2024-01-01', cacheDirectory: join(directory, 'cache') });
    const csv = (await readFile(join(out, 'BTC-USDT.csv'), 'utf8')).split('\n');
    expect(csv[1]).toBe('2024-01-01T00:00:00.000Z,42283.58,42554.57,42261.02,42475.23,1271.68108');

    const exchange = fakeExchange({ 'BTC/USDT': candles });
    const refused = await run(argv, dependencies({ exchange }));
    expect(refused.status).toBe(64);
    expect(refused.err).toBe(`grpo-trader: --out ${join(out, 'BTC-USDT.csv')} already exists; give another file, or --overwrite to replace it\n`);
    const second = await run([...argv, '--overwrite'], dependencies({ exchange }));
    expect(exchange.calls).toEqual([]);
    expect(JSON.parse(second.out).symbols[0]).toMatchObject({ cache: 'hit', fromCache: 10, fetched: 0, requests: 0 });
  });

  it('--refresh and --cache-dir are honoured', async () => {
    const out = join(directory, 'out');
    const cacheDir = join(directory, 'elsewhere');
    const argv = ['--source', 'ccxt', '--exchange', 'binance', '--symbols', 'BTC/USDT', '--interval', '1h', '--from', '2024-01-01', '--to', '2024-01-01', '--out', out, '--cache-dir', cacheDir, '--json'];
    expect(JSON.parse((await run(argv)).out).cacheDirectory).toBe(cacheDir);
    await readFile(join(cacheDir, 'ccxt', 'binance', 'BTC-USDT', '1h.json'), 'utf8');
    const refreshed = JSON.parse((await run([...argv, '--refresh', '--overwrite'])).out);
    expect(refreshed.symbols[0]).toMatchObject({ cache: 'refresh', fetched: 10 });
  });

  it('--adjusted writes back-adjusted prices', async () => {
    const out = join(directory, 'out');
    const result = await run(['--source', 'yahoo', '--symbols', 'AAPL', '--from', '2024-01-02', '--to', '2024-01-02', '--out', out, '--adjusted']);
    expect(result.status).toBe(0);
    const [, row] = (await readFile(join(out, 'AAPL.csv'), 'utf8')).split('\n');
    const [date, open, , , close] = row.split(',').map((field, i) => (i === 0 ? field : Number(field))) as [string, number, number, number, number];
    expect(date).toBe('2024-01-02');
    expect(close).toBe(184.7342987060547);
    expect(open).toBeCloseTo((187.14999389648438 * 184.7342987060547) / 185.63999938964844, 10);
  });

  it.each([
    [['--source', 'bloomberg', '--symbols', 'A', '--from', '2024-01-01', '--out', 'o'], 'grpo-trader: unknown --source "bloomberg" (expected one of yahoo, ccxt)'],
    [['--source', 'yahoo', '--from', '2024-01-01', '--out', 'o'], 'grpo-trader: missing --symbols (comma-separated, e.g. --symbols AAPL,MSFT)'],
    [['--source', 'yahoo', '--symbols', 'A', '--from', '2024-02-30', '--out', 'o'], 'grpo-trader: --from "2024-02-30" is not a date YYYY-MM-DD'],
    [['--source', 'yahoo', '--symbols', 'A', '--from', '01/02/2024', '--out', 'o'], 'grpo-trader: --from "01/02/2024" is not a date YYYY-MM-DD'],
    [['--source', 'yahoo', '--symbols', 'A', '--from', '2024-03-01', '--to', '2024-02-01', '--out', 'o'], 'grpo-trader: --from 2024-03-01 is after --to 2024-02-01'],
    [['--source', 'ccxt', '--symbols', 'A', '--from', '2024-01-01', '--out', 'o'], 'grpo-trader: --source ccxt needs --exchange ID (e.g. binance, kraken, coinbase)'],
    [['--source', 'ccxt', '--exchange', 'binance', '--symbols', 'A', '--from', '2024-01-01', '--out', 'o', '--adjusted'], 'grpo-trader: --adjusted needs an adjusted close, which only --source yahoo provides'],
    [['--source', 'ccxt', '--exchange', 'binance', '--symbols', 'BTC/USDT,BTC-USDT', '--from', '2024-01-01', '--out', 'o'], 'grpo-trader: symbols BTC/USDT and BTC-USDT would both be written to BTC-USDT.csv'],
    [['--source', 'yahoo', '--symbols', 'A', '--interval', '4h', '--from', '2024-01-01', '--out', 'o'], 'grpo-trader: yahoo: unsupported interval "4h" (supported: 1m, 2m, 5m, 15m, 30m, 60m, 90m, 1h, 1d, 5d, 1wk, 1mo, 3mo)'],
    [['--source', 'yahoo', '--symbols', 'A', '--from', '2024-01-01'], 'grpo-trader: missing --out DIR'],
  ])('rejects %j with one line and exit 64', async (argv, line) => {
    const result = await run(argv);
    expect(result.status).toBe(64);
    expect(result.err).toBe(`${line}\n`);
  });

  it('reports a network failure as one line naming source and symbol, exit 69', async () => {
    const yahoo: YahooChartClient = { chart: async () => { throw new Error('getaddrinfo ENOTFOUND query2.finance.yahoo.com'); } };
    const result = await run(['--source', 'yahoo', '--symbols', 'AAPL', '--from', '2024-01-01', '--out', join(directory, 'o')], dependencies({ yahoo }));
    expect(result.status).toBe(69);
    expect(result.err.split('\n').at(-2)).toBe('grpo-trader: yahoo: could not fetch AAPL 1d: getaddrinfo ENOTFOUND query2.finance.yahoo.com');
  });

  it('reports a symbol with no bars in the range as NOT_FOUND, exit 66', async () => {
    const result = await run(['--source', 'yahoo', '--symbols', 'AAPL', '--from', '2023-01-01', '--to', '2023-01-31', '--out', join(directory, 'o')]);
    expect(result.status).toBe(66);
    expect(result.err.split('\n').at(-2)).toBe('grpo-trader: yahoo: no 1d bars for AAPL between 2023-01-01 and 2023-01-31');
  });

  it('rejects an unknown exchange id with the real ccxt factory (no request made), exit 64', async () => {
    const deps = { ...dependencies(), createConnector: realDataFetchDependencies.createConnector };
    const result = await run(['--source', 'ccxt', '--exchange', 'nosuchexchange', '--symbols', 'BTC/USDT', '--from', '2024-01-01', '--out', join(directory, 'o')], deps);
    expect(result.status).toBe(64);
    expect(result.err).toMatch(/^grpo-trader: ccxt: unknown exchange id "nosuchexchange" \(ccxt [\d.]+ knows \d+, e\.g\. binance, kraken, coinbase, bitstamp\)\n$/);
  });

  it('--help lists every option', async () => {
    const result = await run(['--help']);
    expect(result.status).toBe(0);
    for (const flag of ['--source', '--exchange', '--symbols', '--interval', '--from', '--to', '--out', '--cache-dir', '--refresh', '--adjusted', '--json']) {
      expect(result.out).toContain(flag);
    }
  });
});
