/**
 * One conversion from a schema validation failure (zod's issues) to a coded error, used by every
 * config parser: every issue is kept — the first names the location, the others follow in the same
 * one-line message and all are in `details.issues` (for the HTTP error body) — so a user fixing a
 * config sees every problem at once instead of one per run.
 */
import { ErrorCodes, GrpoTraderError, excerpt, type ErrorCode } from './errors.js';

/** The part of a zod issue this needs. */
export interface SchemaIssue {
  path: readonly PropertyKey[];
  message: string;
}

/** One problem of an input, as the error's details list them. */
export interface IssueDetail {
  field: string;
  message: string;
  value?: string;
}

export interface ConfigErrorOptions {
  /** The file (or source) the input came from. */
  file?: string;
  /** Prefixed to every field path (e.g. `environment.reward`). */
  fieldPrefix?: string;
  /** Put before the message (e.g. "invalid sharpe reward config"). */
  context?: string;
  /** The input, to quote a scalar's value at the first issue's path. */
  input?: unknown;
  code?: ErrorCode;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): string | undefined {
  let value: unknown = input;
  for (const key of path) value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  // A scalar can be a whole file (a YAML file of plain text is one string): quote an excerpt.
  return value !== undefined && (typeof value !== 'object' || value === null) ? excerpt(String(value)) : undefined;
}

/** The coded error (INVALID_CONFIG by default) for a list of schema issues. */
export function schemaError(issues: readonly SchemaIssue[], options: ConfigErrorOptions = {}): GrpoTraderError {
  const join = (path: readonly PropertyKey[]) => [options.fieldPrefix, ...path.map(String)].filter((part) => part !== undefined && part !== '').join('.');
  const details: IssueDetail[] = issues.map((issue) => {
    const value = valueAt(options.input, issue.path);
    return { field: join(issue.path), message: issue.message, ...(value === undefined ? {} : { value }) };
  });
  const first = details[0] ?? { field: '', message: 'invalid input' };
  const rest = details.slice(1);
  const more = rest.length === 0 ? '' : ` (and ${rest.length} more: ${rest.map((d) => `${d.field || '(root)'}: ${d.message}`).join('; ')})`;
  return new GrpoTraderError(options.code ?? ErrorCodes.invalidConfig, `${options.context ? `${options.context}: ` : ''}${first.message}${more}`, {
    location: { ...(options.file === undefined ? {} : { file: options.file }), ...(first.field ? { field: first.field } : {}), ...(first.value === undefined ? {} : { value: first.value }) },
    details: { issues: details },
  });
}
