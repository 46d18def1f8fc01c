/**
 * `grpo-trader data fetch`: download bars from Yahoo Finance or a ccxt exchange through the on-disk
 * cache and write one CSV per symbol.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { GrpoTraderError, ErrorCodes, invalidArgument } from '../../core/errors.js';
import { checkOutputFile, prepareOutputDirectory } from '../../core/fs.js';
import { writeOhlcvCsv } from '../../data/index.js';
import type { OhlcvSeries } from '../../data/types.js';
import { createCcxtConnector } from '../../data/connectors/ccxt.js';
import { defaultCacheDirectory } from '../../data/connectors/cache.js';
import { fetchWithCache, type CacheStatus } from '../../data/connectors/fetch-with-cache.js';
import { isDailyOrLonger } from '../../data/connectors/intervals.js';
import { symbolFileName } from '../../data/connectors/symbol-file-name.js';
import type { MarketDataConnector } from '../../data/connectors/types.js';
import { createYahooConnector } from '../../data/connectors/yahoo.js';
import type { CliIo } from '../output.js';
import { commandGroup } from './group.js';

export const DATA_SOURCES = ['yahoo', 'ccxt'] as const;
export type DataSource = (typeof DATA_SOURCES)[number];

/** The options as commander hands them over (all strings or flags, unvalidated). */
export interface DataFetchRawOptions {
  source?: string;
  exchange?: string;
  symbols?: string;
  interval?: string;
  from?: string;
  to?: string;
  out?: string;
  cacheDir?: string;
  refresh?: boolean;
  adjusted?: boolean;
  overwrite?: boolean;
  json?: boolean;
}

/** Validated options: `from` inclusive and `to` exclusive, UTC epoch ms. */
export interface DataFetchOptions {
  source: DataSource;
  exchange: string | undefined;
  symbols: string[];
  interval: string;
  from: number;
  to: number;
  outDirectory: string;
  cacheDirectory: string;
  refresh: boolean;
  adjusted: boolean;
  overwrite: boolean;
  json: boolean;
}

/** What the command needs from the outside world; tests pass fakes so nothing touches the network. */
export interface DataFetchDependencies {
  createConnector(source: DataSource, exchange: string | undefined): Promise<MarketDataConnector>;
  writeCsv(path: string, series: OhlcvSeries): Promise<void>;
  now(): number;
  environment: NodeJS.ProcessEnv;
}

export const realDataFetchDependencies: DataFetchDependencies = {
  createConnector: (source, exchange) => (source === 'yahoo' ? createYahooConnector() : createCcxtConnector({ exchangeId: exchange })),
  writeCsv: writeOhlcvCsv,
  now: () => Date.now(),
  environment: process.env,
};

export interface DataFetchSymbolSummary {
  symbol: string;
  file: string;
  bars: number;
  first: string | null;
  last: string | null;
  fromCache: number;
  fetched: number;
  requests: number;
  cache: CacheStatus;
  droppedBars: string[];
  notes: string[];
}

export interface DataFetchSummary {
  source: string;
  interval: string;
  from: string;
  to: string;
  adjusted: boolean;
  outDirectory: string;
  cacheDirectory: string;
  symbols: DataFetchSymbolSummary[];
}

const DAY = 86_400_000;

/** Validate the raw options; every problem is one INVALID_ARGUMENT line (exit 64). */
export function parseDataFetchOptions(raw: DataFetchRawOptions, now: number, environment: NodeJS.ProcessEnv): DataFetchOptions {
  const source = raw.source;
  if (source === undefined) throw invalidArgument(`missing --source (one of ${DATA_SOURCES.join(', ')})`);
  if (!(DATA_SOURCES as readonly string[]).includes(source)) throw invalidArgument(`unknown --source "${source}" (expected one of ${DATA_SOURCES.join(', ')})`);
  if (source === 'ccxt' && !raw.exchange) throw invalidArgument('--source ccxt needs --exchange ID (e.g. binance, kraken, coinbase)');
  if (source !== 'ccxt' && raw.exchange) throw invalidArgument(`--exchange only applies to --source ccxt`);
  if (raw.adjusted && source !== 'yahoo') throw invalidArgument('--adjusted needs an adjusted close, which only --source yahoo provides');
  if (raw.symbols === undefined) throw invalidArgument('missing --symbols (comma-separated, e.g. --symbols AAPL,MSFT)');
  const symbols = [...new Set(raw.symbols.split(',').map((symbol) => symbol.trim()).filter((symbol) => symbol !== ''))];
  if (symbols.length === 0) throw invalidArgument(`--symbols "${raw.symbols}" lists no symbol`);
  const fileOwners = new Map<string, string>();
  for (const symbol of symbols) {
    const file = symbolFileName(symbol);
    const other = fileOwners.get(file);
    if (other !== undefined) throw invalidArgument(`symbols ${other} and ${symbol} would both be written to ${file}.csv`);
    fileOwners.set(file, symbol);
  }
  if (raw.from === undefined) throw invalidArgument('missing --from YYYY-MM-DD');
  const from = parseDay(raw.from, '--from');
  const to = raw.to === undefined ? now : parseDay(raw.to, '--to') + DAY;
  if (from >= to) {
    throw invalidArgument(raw.to === undefined ? `--from ${raw.from} is in the future` : `--from ${raw.from} is after --to ${raw.to}`);
  }
  if (!raw.out) throw invalidArgument('missing --out DIR');
  return {
    source: source as DataSource,
    exchange: raw.exchange,
    symbols,
    interval: raw.interval ?? '1d',
    from,
    to,
    outDirectory: raw.out,
    cacheDirectory: raw.cacheDir ?? defaultCacheDirectory(environment),
    refresh: raw.refresh ?? false,
    adjusted: raw.adjusted ?? false,
    overwrite: raw.overwrite ?? false,
    json: raw.json ?? false,
  };
}

/** Run `data fetch`: validate, fetch each symbol through the cache, write CSVs, report progress and (with --json) a summary. */
export async function runDataFetch(raw: DataFetchRawOptions, io: CliIo, dependencies: DataFetchDependencies = realDataFetchDependencies): Promise<DataFetchSummary> {
  const options = parseDataFetchOptions(raw, dependencies.now(), dependencies.environment);
  // --out is a data folder that collects symbols (other files stay); each CSV this run writes is checked before anything is fetched.
  const inputs = [{ option: '--cache-dir', path: options.cacheDirectory }];
  await prepareOutputDirectory(options.outDirectory, { option: '--out', existing: 'continue', what: 'OHLCV files', markers: [], inputs });
  for (const symbol of options.symbols) await checkOutputFile(join(options.outDirectory, `${symbolFileName(symbol)}.csv`), { option: '--out', inputs, overwrite: options.overwrite });
  const connector = await dependencies.createConnector(options.source, options.exchange);
  connector.checkInterval(options.interval);
  const daily = isDailyOrLonger(options.interval);
  const format = (time: number) => (daily ? new Date(time).toISOString().slice(0, 10) : new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z'));
  const summary: DataFetchSummary = {
    source: connector.source,
    interval: options.interval,
    from: new Date(options.from).toISOString().slice(0, 10),
    // --to is an inclusive day; without it the range ends now.
    to: raw.to ?? new Date(options.to).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    adjusted: options.adjusted,
    outDirectory: options.outDirectory,
    cacheDirectory: options.cacheDirectory,
    symbols: [],
  };
  const total = options.symbols.length;
  for (const [index, symbol] of options.symbols.entries()) {
    const counter = `[${index + 1}/${total}] ${symbol}`;
    io.progress(`${counter}: fetching ${options.interval} bars ${summary.from}..${summary.to} from ${connector.source}\n`);
    const report = await fetchWithCache(
      connector,
      { symbol, interval: options.interval, from: options.from, to: options.to },
      { cacheDirectory: options.cacheDirectory, refresh: options.refresh, adjusted: options.adjusted, now: dependencies.now },
    );
    for (const note of report.notes) io.progress(`${counter}: ${note}\n`);
    if (report.droppedTimes.length > 0) {
      io.progress(`${counter}: dropped ${report.droppedTimes.length} bar(s) with missing prices: ${report.droppedTimes.map(format).join(', ')}\n`);
    }
    const { series } = report;
    const count = series.time.length;
    if (count === 0) {
      throw new GrpoTraderError(ErrorCodes.notFound, `${connector.source}: no ${options.interval} bars for ${symbol} between ${summary.from} and ${summary.to}`);
    }
    const file = join(options.outDirectory, `${symbolFileName(symbol)}.csv`);
    await dependencies.writeCsv(file, series);
    const first = format(series.time[0]);
    const last = format(series.time[count - 1]);
    const requests = report.requests === 1 ? '1 request' : `${report.requests} requests`;
    io.progress(`${counter}: ${count} bars ${first}..${last} (${report.fromCache} from cache, ${report.fetched} fetched in ${requests}) -> ${file}\n`);
    summary.symbols.push({
      symbol,
      file,
      bars: count,
      first,
      last,
      fromCache: report.fromCache,
      fetched: report.fetched,
      requests: report.requests,
      cache: report.cache,
      droppedBars: report.droppedTimes.map(format),
      notes: report.notes,
    });
  }
  if (options.json) io.stdout(`${JSON.stringify(summary)}\n`);
  return summary;
}

function parseDay(text: string, flag: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const time = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : Number.NaN;
  if (!match || new Date(time).toISOString().slice(0, 10) !== text) throw invalidArgument(`${flag} "${text}" is not a date YYYY-MM-DD`);
  return time;
}

/** Register `data fetch` with the given dependencies (tests inject fakes). */
export function registerDataFetchWith(dependencies: DataFetchDependencies) {
  return (program: Command, io: CliIo): void => {
    commandGroup(program, 'data', 'Load, validate and fetch market data')
      .command('fetch')
      .description('Download OHLCV bars from Yahoo Finance or a ccxt exchange (cached on disk) and write SYMBOL.csv per symbol')
      .option('--source <source>', `data source: ${DATA_SOURCES.join(' or ')}`)
      .option('--exchange <id>', 'ccxt exchange id, e.g. binance, kraken, coinbase (with --source ccxt)')
      .option('--symbols <list>', 'comma-separated symbols, e.g. AAPL,MSFT or BTC/USDT,ETH/USDT')
      .option('--interval <interval>', 'bar interval, e.g. 1d, 1h, 5m', '1d')
      .option('--from <date>', 'first day, YYYY-MM-DD (UTC)')
      .option('--to <date>', 'last day, YYYY-MM-DD, inclusive (default: now)')
      .option('--out <dir>', 'directory for the CSV files (BTC/USDT is written as BTC-USDT.csv)')
      .option('--cache-dir <dir>', 'cache directory (default: $GRPO_TRADER_CACHE or ~/.cache/grpo-trader)')
      .option('--refresh', 'ignore the cache and fetch everything again')
      .option('--adjusted', 'Yahoo only: scale open/high/low/close by adjusted close / close (back-adjusted for splits and dividends)')
      .option('--overwrite', 'replace SYMBOL.csv files that already exist in --out (other files there are kept)')
      .option('--json', 'print a JSON summary on stdout')
      .action(async (raw: DataFetchRawOptions) => {
        await runDataFetch(raw, io, dependencies);
      });
  };
}

/** Register `grpo-trader data fetch` (the real connectors, file system and clock). */
export function registerDataFetch(program: Command, io: CliIo): void {
  registerDataFetchWith(realDataFetchDependencies)(program, io);
}
