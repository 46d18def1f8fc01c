/** Loading several files (or directories of them) into one aligned `MarketData`. */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { GrpoTraderError, ErrorCodes, invalidArgument } from '../core/errors.js';
import type { MarketData, OhlcvSeries } from './types.js';
import type { LoadOhlcvOptions } from './load-options.js';
import { isOhlcvFileName, loadOhlcv } from './load-ohlcv.js';
import { symbolFromPath } from './parse-ohlcv-csv.js';
import { alignSeries, type AlignOptions, type AlignmentReport } from './align.js';
import { sliceSeriesByDate, type DateInput } from './market.js';

export interface LoadMarketOptions extends AlignOptions {
  /** Only these symbols (file names without extension), in this order; each must be found (null or absent: every file). */
  symbols?: readonly string[] | null;
  /** First and last date kept (inclusive), applied to each series before alignment. */
  from?: DateInput;
  to?: DateInput;
  /** Options for each file (symbol excepted: it comes from the file name). */
  load?: Omit<LoadOhlcvOptions, 'symbol' | 'file'>;
}

/** Every OHLCV file a list of paths names: files as given, directories expanded (sorted by name, not recursive). */
export async function expandDataPaths(pathsOrDirs: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of pathsOrDirs) {
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      throw new GrpoTraderError(ErrorCodes.notFound, `${path}: no such file or directory`, { cause: error });
    }
    if (info.isDirectory()) {
      const names = (await readdir(path)).filter((name) => isOhlcvFileName(name) && !name.startsWith('.')).sort();
      if (names.length === 0) throw new GrpoTraderError(ErrorCodes.notFound, `${path}: directory holds no .csv or .parquet file`);
      for (const name of names) files.push(join(path, name));
    } else files.push(path);
  }
  return files;
}

/** Load files and directories, keep the requested symbols and dates, and align them (see `alignSeries`). */
export async function loadMarket(
  pathsOrDirs: readonly string[],
  options: LoadMarketOptions = {},
): Promise<{ market: MarketData; report: AlignmentReport; series: OhlcvSeries[]; files: string[] }> {
  let files = await expandDataPaths(pathsOrDirs);
  if (options.symbols) {
    const bySymbol = new Map<string, string>();
    for (const file of files) {
      const symbol = symbolFromPath(file);
      if (bySymbol.has(symbol)) throw invalidArgument(`symbol ${symbol} comes from two files: ${bySymbol.get(symbol)} and ${file}`);
      bySymbol.set(symbol, file);
    }
    const missing = options.symbols.filter((symbol) => !bySymbol.has(symbol));
    if (missing.length > 0) {
      throw new GrpoTraderError(ErrorCodes.notFound, `symbol${missing.length === 1 ? '' : 's'} ${missing.join(', ')} not found in ${pathsOrDirs.join(', ')}`);
    }
    files = options.symbols.map((symbol) => bySymbol.get(symbol)!);
  }
  const loaded = await Promise.all(files.map((file) => loadOhlcv(file, options.load)));
  const series = options.from !== undefined || options.to !== undefined ? loaded.map((one) => sliceSeriesByDate(one, options.from, options.to)) : loaded;
  for (const one of series) {
    if (one.time.length === 0) throw invalidArgument(`${one.source ?? one.symbol}: no bars between ${String(options.from ?? 'the start')} and ${String(options.to ?? 'the end')}`);
  }
  const alignOptions: AlignOptions = {};
  if (options.policy !== undefined) alignOptions.policy = options.policy;
  if (options.maxFill !== undefined) alignOptions.maxFill = options.maxFill;
  const { market, report } = alignSeries(series, alignOptions);
  return { market, report, series, files };
}
