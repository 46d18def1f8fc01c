import fc from 'fast-check';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GrpoTraderError } from '../../core/errors.js';
import { cacheFilePath, defaultCacheDirectory, parseCacheEntry, serializeCacheEntry, type CacheEntry } from './cache.js';
import { symbolFileName } from './symbol-file-name.js';

const key = { source: 'yahoo', symbol: 'AAPL', interval: '1d' };

function entry(times: number[], adjusted = false): CacheEntry {
  const column = (offset: number) => Float64Array.from(times, (_, i) => 100 + i + offset);
  const bars: CacheEntry['bars'] = { time: Float64Array.from(times), open: column(0), high: column(2), low: column(-2), close: column(1), volume: column(1000) };
  if (adjusted) bars.adjustedClose = column(0.5);
  return { ...key, coveredFrom: 0, coveredTo: 1e12, fetchedAt: 1e12, bars };
}

function corruption(text: string): string {
  try {
    parseCacheEntry(text, 'f.json', key);
    return 'accepted';
  } catch (error) {
    expect(error).toBeInstanceOf(GrpoTraderError);
    expect((error as GrpoTraderError).code).toBe('CORRUPTED');
    return (error as GrpoTraderError).message;
  }
}

describe('cache files', () => {
  it('round-trips every column exactly, with and without adjusted close (property)', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 2e12 }), { maxLength: 30 }), fc.boolean(), (times, adjusted) => {
      const original = entry(times.sort((a, b) => a - b), adjusted);
      expect(parseCacheEntry(serializeCacheEntry(original), 'f.json', key)).toEqual(original);
    }));
  });

  it('rejects an edited value, a truncated file, a foreign symbol and unsorted times', () => {
    const text = serializeCacheEntry(entry([1, 2, 3]));
    expect(corruption(text.replace('"open":[100', '"open":[109'))).toBe('corrupted cache file: checksum mismatch (truncated or edited)');
    expect(corruption(text.slice(0, 50))).toMatch(/^corrupted cache file: expected 2 lines/);
    expect(corruption('')).toMatch(/^corrupted cache file: expected 2 lines/);
    expect(corruption(`{oops\n[]\n`)).toBe('corrupted cache file: header is not valid JSON');
    expect(corruption(serializeCacheEntry({ ...entry([1]), symbol: 'MSFT' }))).toBe('corrupted cache file: holds symbol "MSFT", expected "AAPL"');
    expect(corruption(serializeCacheEntry(entry([2, 1])))).toBe('corrupted cache file: times not strictly increasing at bar 1');
    expect(corruption(serializeCacheEntry(entry([Number.NaN])))).toBe('corrupted cache file: column time is not 1 finite numbers');
  });

  it('lays files out as source/symbol/interval with safe names', () => {
    expect(cacheFilePath('/c', 'yahoo', '^GSPC', '1d')).toBe(join('/c', 'yahoo', '^GSPC', '1d.json'));
    expect(cacheFilePath('/c', 'ccxt/binance', 'BTC/USDT', '1h')).toBe(join('/c', 'ccxt', 'binance', 'BTC-USDT', '1h.json'));
    // ccxt's month timeframe must not share a file with minutes on case-insensitive file systems.
    expect(cacheFilePath('/c', 'ccxt/kraken', 'ETH/EUR', '1M')).toBe(join('/c', 'ccxt', 'kraken', 'ETH-EUR', '1month.json'));
  });

  it('makes symbols safe as file names and never hidden or a parent directory', () => {
    expect(symbolFileName('BTC/USDT')).toBe('BTC-USDT');
    expect(symbolFileName('BTC/USDT:USDT')).toBe('BTC-USDT_USDT');
    expect(symbolFileName('EURUSD=X')).toBe('EURUSD=X');
    expect(symbolFileName('BRK.B')).toBe('BRK.B');
    expect(symbolFileName('..')).toBe('_..');
    expect(symbolFileName('a b\\c')).toBe('a_b_c');
  });

  it('defaults to $GRPO_TRADER_CACHE, else ~/.cache/grpo-trader', () => {
    expect(defaultCacheDirectory({ GRPO_TRADER_CACHE: '/tmp/x' })).toBe('/tmp/x');
    expect(defaultCacheDirectory({})).toMatch(/[/\\]\.cache[/\\]grpo-trader$/);
  });
});
