/**
 * A market's fingerprint: SHA-256 over its symbols, timestamps and OHLCV values exactly as the
 * engine sees them (after loading, validation and alignment), so two runs, or a coordinator and a
 * worker, can tell whether they used the same data whatever the files looked like.
 */
import { createHash } from 'node:crypto';
import { OHLCV_FIELDS, type MarketData } from './types.js';

/** `sha256:<hex>` of the market's symbols, time axis and the five OHLCV columns. */
export function marketFingerprint(market: MarketData): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify(market.symbols));
  const bytes = (column: Float64Array) => new Uint8Array(column.buffer, column.byteOffset, column.byteLength);
  hash.update(bytes(market.time));
  for (const field of OHLCV_FIELDS) hash.update(bytes(market[field]));
  return `sha256:${hash.digest('hex')}`;
}
