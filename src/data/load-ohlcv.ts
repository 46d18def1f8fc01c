/** Loading one OHLCV file (CSV or Parquet) from disk, with validation and explicit repairs. */
import { extname } from 'node:path';
import { checkLineLengths, readFileBounded, TEXT_READ_LIMITS } from '../core/fs.js';
import type { OhlcvSeries } from './types.js';
import { resolveLoadOptions, type LoadOhlcvOptions } from './load-options.js';
import { inspectResolved, seriesOrThrow } from './parse-ohlcv-csv.js';
import { inspectOhlcvParquet } from './parse-ohlcv-parquet.js';
import type { ValidationReport } from './validation-report.js';

/** True for the file names the loaders read (`.csv`, `.txt`, `.tsv`, `.parquet`, `.pq`). */
export function isOhlcvFileName(path: string): boolean {
  return /\.(csv|tsv|txt|parquet|pq)$/i.test(path);
}

function isParquet(path: string, bytes: Uint8Array): boolean {
  if (/\.(parquet|pq)$/i.test(extname(path))) return true;
  // Magic number `PAR1` at both ends, whatever the name says.
  return bytes.length >= 8 && bytes[0] === 0x50 && bytes[1] === 0x41 && bytes[2] === 0x52 && bytes[3] === 0x31;
}

/**
 * Validate one file and report every problem, warning and repair; never throws for data problems
 * (only for a missing or unreadable file, or one outside the read limits: not a regular file, above
 * 500 MiB, a CSV line above 64 KiB). `series` is set when the file is usable.
 */
export async function validateOhlcvFile(path: string, options: LoadOhlcvOptions = {}): Promise<ValidationReport> {
  const resolved = resolveLoadOptions({ ...options, file: options.file ?? path });
  const bytes = await readFileBounded(path, { maxBytes: TEXT_READ_LIMITS.maxBytes });
  if (isParquet(path, bytes)) {
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    return inspectOhlcvParquet(buffer, resolved);
  }
  checkLineLengths(bytes, path, TEXT_READ_LIMITS.maxLineLength);
  return inspectResolved(bytes.toString('utf8'), resolved);
}

/** Load one OHLCV file; throws INVALID_DATA naming the first problem (all in `details`) unless repaired. */
export async function loadOhlcv(path: string, options: LoadOhlcvOptions = {}): Promise<OhlcvSeries> {
  return seriesOrThrow(await validateOhlcvFile(path, options));
}
