/**
 * One error base class with a stable machine-readable `code`. The CLI maps codes to an exit status
 * and one line of text; the server maps them to an HTTP status and a JSON body.
 */
export const ErrorCodes = {
  invalidArgument: 'INVALID_ARGUMENT',
  invalidData: 'INVALID_DATA',
  invalidConfig: 'INVALID_CONFIG',
  notFound: 'NOT_FOUND',
  io: 'IO_ERROR',
  network: 'NETWORK_ERROR',
  unsupported: 'UNSUPPORTED',
  corrupted: 'CORRUPTED',
  unauthorized: 'UNAUTHORIZED',
  forbidden: 'FORBIDDEN',
  rateLimited: 'RATE_LIMITED',
  payloadTooLarge: 'PAYLOAD_TOO_LARGE',
  unavailable: 'UNAVAILABLE',
  internal: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** Where in an input a problem was found; every field optional, printed in this order. */
export interface ProblemLocation {
  file?: string;
  line?: number;
  field?: string;
  value?: string;
}

export class GrpoTraderError extends Error {
  readonly code: ErrorCode;
  readonly location: ProblemLocation | undefined;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, options: { location?: ProblemLocation; details?: unknown; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GrpoTraderError';
    this.code = code;
    this.location = options.location;
    this.details = options.details;
  }
}

/** The most characters of an input's content an error message quotes. */
export const EXCERPT_LENGTH = 60;

/**
 * At most `max` characters of text read from a file or an input, printable on one line: line breaks
 * and tabs become spaces, other control characters and undecodable bytes (U+FFFD) become `?`, and a
 * cut is marked with `…`. Every error that quotes content goes through it, so a message never echoes
 * a whole file or binary bytes.
 */
export function excerpt(text: string, max = EXCERPT_LENGTH): string {
  let head = text.length > max ? text.slice(0, max) : text;
  // Never end on half a surrogate pair.
  if (head.length > 0 && /[\ud800-\udbff]/.test(head[head.length - 1]!)) head = head.slice(0, -1);
  // eslint-disable-next-line no-control-regex
  const printable = head.replace(/[\t\n\r\v\f]/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, '?');
  return text.length > max ? `${printable}…` : printable;
}

/** Format a location as `file:line: field = "value"` (omitting what is unknown; the value as a short excerpt). */
export function formatLocation(location: ProblemLocation | undefined): string {
  if (!location) return '';
  let text = location.file ?? '';
  if (location.line !== undefined) text += `${text ? ':' : 'line '}${location.line}`;
  if (location.field !== undefined) text += `${text ? ': ' : ''}field ${excerpt(location.field, 2 * EXCERPT_LENGTH)}`;
  if (location.value !== undefined) text += ` = ${JSON.stringify(excerpt(location.value))}`;
  return text;
}

export function invalidArgument(message: string, details?: unknown): GrpoTraderError {
  return new GrpoTraderError(ErrorCodes.invalidArgument, message, { details });
}

/** A bad argument, naming the field (or option) it came in. */
export function invalidField(field: string, message: string): GrpoTraderError {
  return new GrpoTraderError(ErrorCodes.invalidArgument, message, { location: { field } });
}

/** A broken internal invariant (a bug, not the user's input): code INTERNAL, exit status 70, HTTP 500. */
export function internalError(message: string, details?: unknown): GrpoTraderError {
  return new GrpoTraderError(ErrorCodes.internal, message, { details });
}

export function isGrpoTraderError(error: unknown): error is GrpoTraderError {
  return error instanceof GrpoTraderError;
}

/** Exit status for each code, used by the CLI (sysexits-like: 64 usage, 65 data, 66 no input, 74 io). */
export const exitStatusByCode: Record<ErrorCode, number> = {
  INVALID_ARGUMENT: 64,
  INVALID_DATA: 65,
  INVALID_CONFIG: 78,
  NOT_FOUND: 66,
  IO_ERROR: 74,
  NETWORK_ERROR: 69,
  UNSUPPORTED: 64,
  CORRUPTED: 65,
  UNAUTHORIZED: 77,
  FORBIDDEN: 77,
  RATE_LIMITED: 75,
  PAYLOAD_TOO_LARGE: 64,
  UNAVAILABLE: 69,
  INTERNAL: 70,
};

/** HTTP status for each code, used by the server. */
export const httpStatusByCode: Record<ErrorCode, number> = {
  INVALID_ARGUMENT: 400,
  INVALID_DATA: 422,
  INVALID_CONFIG: 400,
  NOT_FOUND: 404,
  IO_ERROR: 500,
  NETWORK_ERROR: 502,
  UNSUPPORTED: 400,
  CORRUPTED: 422,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  PAYLOAD_TOO_LARGE: 413,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};
