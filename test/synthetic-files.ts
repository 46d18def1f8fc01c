/**
 * Seeded synthetic bars for tests that need plausible OHLCV (or CSV files of it) but not the real
 * data: `syntheticRegimeMarket`'s assets SYN01, SYN02, ... as series, or written one CSV per symbol so
 * a CLI command or loader can read them. Deterministic for a seed, valid under every OHLCV rule.
 */
import { syntheticRegimeMarket, type SyntheticMarketOptions } from '../src/data/synthetic.js';
import { seriesFromMarket } from '../src/data/market.js';
import { writeOhlcvCsv } from '../src/data/write-ohlcv.js';
import { join } from 'node:path';
import type { MarketData, OhlcvSeries } from '../src/data/types.js';

/** Every asset of a seeded synthetic market as its own series, in symbol order (SYN01, SYN02, ...). */
export function syntheticSeries(options: SyntheticMarketOptions): OhlcvSeries[] {
  const { market } = syntheticRegimeMarket(options);
  return market.symbols.map((symbol) => seriesFromMarket(market, symbol));
}

/**
 * Write every asset of a seeded synthetic market to `<directory>/<symbol>.csv` (date,open,high,low,
 * close,volume; numbers round-trip exactly). Returns the market and each file's path by symbol.
 */
export async function writeSyntheticCsvs(directory: string, options: SyntheticMarketOptions): Promise<{ market: MarketData; paths: Record<string, string> }> {
  const { market } = syntheticRegimeMarket(options);
  const paths: Record<string, string> = {};
  for (const symbol of market.symbols) {
    paths[symbol] = join(directory, `${symbol}.csv`);
    await writeOhlcvCsv(paths[symbol], seriesFromMarket(market, symbol));
  }
  return { market, paths };
}
