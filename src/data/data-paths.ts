/**
 * Data paths as configs write them: `${GRPO_TRADER_DATA}/us-equities-daily` (any `${NAME}` is read
 * from the environment), relative paths resolved against the config file's folder. A path that
 * cannot be used gets one error naming the config field, the path and how to get data.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ErrorCodes, GrpoTraderError } from '../core/errors.js';

/** The environment variable that names the folder holding a user's market data. */
export const DATA_DIRECTORY_VARIABLE = 'GRPO_TRADER_DATA';

/** How to get data, appended to every "missing data" message. */
export const GET_DATA_HINT =
  'set GRPO_TRADER_DATA to the folder holding your data, pass --data PATHS, or download bars: grpo-trader data fetch --source yahoo --symbols AAPL,MSFT --from 2005-01-01 --adjusted --out DIR';

export interface ResolveDataPathsOptions {
  /** Folder relative paths are resolved against (the config file's). */
  baseDir: string;
  /** Where the paths come from (the config file), for messages. */
  source?: string;
  /** Name of the field holding the paths, for messages (default `data.paths`). */
  field?: string;
  environment?: NodeJS.ProcessEnv;
}

/** Expand `${NAME}` from the environment, resolve against `baseDir`, and check each path exists. */
export function resolveDataPaths(paths: readonly string[], options: ResolveDataPathsOptions): string[] {
  const environment = options.environment ?? process.env;
  const field = options.field ?? 'data.paths';
  return paths.map((written, index) => {
    const location = { ...(options.source === undefined ? {} : { file: options.source }), field: `${field}[${index}]`, value: written };
    const expanded = written.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_match, name: string) => {
      const value = environment[name];
      if (value === undefined || value === '') throw new GrpoTraderError(ErrorCodes.notFound, `\${${name}} is not set; ${GET_DATA_HINT}`, { location });
      return value;
    });
    const path = isAbsolute(expanded) ? expanded : resolve(options.baseDir, expanded);
    if (!existsSync(path)) throw new GrpoTraderError(ErrorCodes.notFound, `${path} does not exist; ${GET_DATA_HINT}`, { location });
    return path;
  });
}
