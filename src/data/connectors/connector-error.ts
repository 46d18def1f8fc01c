import { GrpoTraderError, ErrorCodes } from '../../core/errors.js';

/**
 * First line of an error's message, trimmed, so a remote stack or HTML page never floods the
 * terminal; Node's bare "fetch failed" gets its cause appended (the DNS or socket error that says why).
 */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const line = message.split('\n').find((part) => part.trim() !== '') ?? 'unknown error';
  let trimmed = line.trim();
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error && cause.message && !trimmed.includes(cause.message)) trimmed += ` (${firstLine(cause)})`;
  return trimmed.length > 200 ? `${trimmed.slice(0, 197)}...` : trimmed;
}

/** A failed remote call as a NETWORK_ERROR naming the source and symbol (NOT_FOUND when the source says the symbol does not exist). */
export function connectorError(source: string, symbol: string, interval: string, error: unknown, notFound = false): GrpoTraderError {
  if (error instanceof GrpoTraderError) return error;
  const code = notFound ? ErrorCodes.notFound : ErrorCodes.network;
  const what = notFound ? 'unknown symbol' : 'could not fetch';
  return new GrpoTraderError(code, `${source}: ${what} ${symbol} ${interval}: ${firstLine(error)}`, { cause: error });
}
