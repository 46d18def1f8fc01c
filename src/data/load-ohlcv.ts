/** Loading one OHLCV file (CSV or Parquet) from disk, with validation and explicit repairs. */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { GrpoTraderError, ErrorCodes } from '../core/errors.js';
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

async function readBytes(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT') throw new GrpoTraderError(ErrorCodes.notFound, `${path}: no such file`, { cause: error });
    if (code === 'EISDIR') throw new GrpoTraderError(ErrorCodes.invalidArgument, `${path}: is a directory, expected a file`, { cause: error });
    throw new GrpoTraderError(ErrorCodes.io, `${path}: cannot read (${code ?? (error as Error).message})`, { cause: error });
  }
}

/**
 * Validate one file and report every problem, warning and repair; never throws for data problems
 * (only for a missing or unreadable file). `series` is set when the file is usable.
 */
export async function validateOhlcvFile(path: string, options: LoadOhlcvOptions = {}): Promise<ValidationReport> {
  const resolved = resolveLoadOptions({ ...options, file: options.file ?? path });
  const bytes = await readBytes(path);
  if (isParquet(path, bytes)) {
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    return inspectOhlcvParquet(buffer, resolved);
  }
  return inspectResolved(bytes.toString('utf8'), resolved);
}

/** Load one OHLCV file; throws INVALID_DATA naming the first problem (all in `details`) unless repaired. */
export async function loadOhlcv(path: string, options: LoadOhlcvOptions = {}): Promise<OhlcvSeries> {
  return seriesOrThrow(await validateOhlcvFile(path, options));
}
