/**
 * The memory budget a run may plan for, and the one check every sized allocation goes through before
 * it happens: an estimate made of parts, each tied to the field that makes it grow, is compared with
 * the limit, and an estimate over it is refused with one line naming the part's field — instead of
 * V8 aborting with "heap out of memory" (exit 134) or "Invalid typed array length" halfway through.
 *
 * The limit is half of the machine's memory (`os.totalmem()`): the other half is left to the
 * operating system, V8's own heap and whatever else runs. `GRPO_TRADER_MEMORY_LIMIT` replaces it
 * (bytes, or a number with a unit: `512MB`, `8GB`, `1.5GiB`); so does the `limitBytes` option.
 * jax-js keeps tensors in one WebAssembly memory, which cannot grow past 4 GiB whatever the machine
 * has, so the parts that live there are also checked against that.
 */
import { totalmem } from 'node:os';
import { ErrorCodes, GrpoTraderError } from './errors.js';

/** The environment variable that replaces the default limit. */
export const MEMORY_LIMIT_VARIABLE = 'GRPO_TRADER_MEMORY_LIMIT';

/** Share of the machine's memory a run may plan for by default. */
export const DEFAULT_MEMORY_SHARE = 0.5;

/** WebAssembly's 32-bit memory: 65,536 pages of 64 KiB, the most jax-js's wasm device can hold. */
export const DEVICE_MEMORY_BYTES = 65_536 * 65_536;

/** One part of an estimate: what it is, the bytes, and the config field (or option) it grows with. */
export interface MemoryPart {
  /** The field named when this part dominates (e.g. `algorithm.grpo.groupSize`). */
  field: string;
  /** The field's value, quoted in the error. */
  value?: number | string;
  /** What the bytes are for (e.g. "rollout storage (envs × rolloutSteps × groupSize samples)"). */
  what: string;
  bytes: number;
  /** Whether the part lives in jax-js's WebAssembly memory (network tensors and their activations). */
  device?: boolean;
}

/** An estimate: its parts and their sums (all memory, and the part in the wasm device). */
export interface MemoryEstimate {
  parts: MemoryPart[];
  bytes: number;
  deviceBytes: number;
}

/** The limit in force and where it comes from (for the error message). */
export interface MemoryLimit {
  bytes: number;
  source: string;
}

const UNITS: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40 };

/** Parse `GRPO_TRADER_MEMORY_LIMIT`-style text: bytes, or a number with a unit (KB, MB, GB, TB, KiB, MiB, GiB, TiB). */
export function parseMemorySize(text: string, name = MEMORY_LIMIT_VARIABLE): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = UNITS[(match?.[2] || 'b').toLowerCase()];
  const bytes = match && unit !== undefined ? Number(match[1]) * unit : Number.NaN;
  if (!(bytes >= 1 && Number.isFinite(bytes))) {
    throw new GrpoTraderError(ErrorCodes.invalidConfig, 'not a size: give bytes or a number with a unit (8GB, 512MB, 1.5GiB)', { location: { field: name, value: text } });
  }
  return Math.floor(bytes);
}

/** The limit: `limitBytes` if given, else `GRPO_TRADER_MEMORY_LIMIT`, else half of the machine's memory. */
export function memoryLimit(options: { limitBytes?: number; environment?: NodeJS.ProcessEnv } = {}): MemoryLimit {
  if (options.limitBytes !== undefined) return { bytes: options.limitBytes, source: 'the memoryLimit option' };
  const text = (options.environment ?? process.env)[MEMORY_LIMIT_VARIABLE];
  if (text !== undefined && text !== '') return { bytes: parseMemorySize(text), source: MEMORY_LIMIT_VARIABLE };
  return { bytes: Math.floor(totalmem() * DEFAULT_MEMORY_SHARE), source: `half of this machine's ${formatBytes(totalmem())}; set ${MEMORY_LIMIT_VARIABLE} to change it` };
}

/** Bytes as text with a binary unit, e.g. `3.2 GiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value.toFixed(0) : value.toPrecision(3)} ${units[unit]}`;
}

/** Sum parts into an estimate. */
export function memoryEstimate(parts: MemoryPart[]): MemoryEstimate {
  let bytes = 0;
  let deviceBytes = 0;
  for (const part of parts) {
    bytes += part.bytes;
    if (part.device) deviceBytes += part.bytes;
  }
  return { parts, bytes, deviceBytes };
}

/**
 * Refuse an estimate over the limit (or whose device parts exceed jax-js's 4 GiB), naming the largest
 * part's field in one line: `what` says what was estimated ("training"), `file` where the sizes came from.
 */
export function checkMemoryEstimate(estimate: MemoryEstimate, options: { what: string; file?: string; limitBytes?: number; environment?: NodeJS.ProcessEnv }): void {
  const limit = memoryLimit(options);
  const overDevice = estimate.deviceBytes > DEVICE_MEMORY_BYTES;
  if (estimate.bytes <= limit.bytes && !overDevice) return;
  const candidates = overDevice ? estimate.parts.filter((part) => part.device) : estimate.parts;
  const largest = candidates.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const need = overDevice
    ? `${formatBytes(estimate.deviceBytes)} of network tensors, more than jax-js's WebAssembly memory can hold (${formatBytes(DEVICE_MEMORY_BYTES)})`
    : `about ${formatBytes(estimate.bytes)}, over the limit of ${formatBytes(limit.bytes)} (${limit.source})`;
  throw new GrpoTraderError(ErrorCodes.invalidConfig, `${options.what} would need ${need}; the largest part is the ${largest.what}, ${formatBytes(largest.bytes)}: lower ${largest.field}`, {
    location: { ...(options.file === undefined ? {} : { file: options.file }), field: largest.field, ...(largest.value === undefined ? {} : { value: String(largest.value) }) },
    details: { estimate: estimate.parts.map(({ field, what, bytes, device }) => ({ field, what, bytes, device: device === true })), limitBytes: limit.bytes },
  });
}
