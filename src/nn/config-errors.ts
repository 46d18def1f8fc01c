/** Typed errors for bad network configurations and inputs (GrpoTraderError naming the field). */
import { ErrorCodes, GrpoTraderError } from '../core/index.js';

/** A configuration value that cannot work, e.g. heads that do not divide the width. */
export function invalidNetworkConfig(field: string, value: unknown, message: string): GrpoTraderError {
  return new GrpoTraderError(ErrorCodes.invalidConfig, `${field} = ${String(value)}: ${message}`, { location: { field, value: String(value) } });
}

/** An input that does not fit the network (shape, length, mode). */
export function invalidNetworkInput(field: string, value: unknown, message: string): GrpoTraderError {
  return new GrpoTraderError(ErrorCodes.invalidArgument, `${field} = ${String(value)}: ${message}`, { location: { field, value: String(value) } });
}

/** Check that every listed dimension is a positive integer and heads divide the width. */
export function checkDimensions(dimensions: Record<string, number>, width?: { field: string; value: number; heads: number }): void {
  for (const [field, value] of Object.entries(dimensions)) {
    if (!Number.isInteger(value) || value < 1) throw invalidNetworkConfig(field, value, 'must be a positive integer');
  }
  if (width && width.value % width.heads !== 0) throw invalidNetworkConfig(width.field, width.value, `is not divisible by numHeads ${width.heads}`);
}
