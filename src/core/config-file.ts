/** Read a JSON or YAML config file (by extension; YAML is a superset of JSON); errors name the file and, for syntax, the line. */
import { readFile } from 'node:fs/promises';
import { parse, YAMLParseError } from 'yaml';
import { ErrorCodes, GrpoTraderError, excerpt } from './errors.js';

export async function readConfigFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code === 'ENOENT' ? ErrorCodes.notFound : ErrorCodes.io;
    throw new GrpoTraderError(code, code === ErrorCodes.notFound ? 'no such config file' : `cannot read the config file (${(error as Error).message})`, { location: { file }, cause: error });
  }
  if (file.toLowerCase().endsWith('.json')) {
    try {
      return JSON.parse(text) ?? {};
    } catch (error) {
      throw new GrpoTraderError(ErrorCodes.invalidConfig, `invalid JSON: ${excerpt((error as Error).message, 120)}`, { location: { file }, cause: error });
    }
  }
  try {
    return parse(text) ?? {};
  } catch (error) {
    const line = error instanceof YAMLParseError ? error.linePos?.[0].line : undefined;
    const message = (error as Error).message.split('\n')[0]!;
    throw new GrpoTraderError(ErrorCodes.invalidConfig, `invalid YAML: ${excerpt(message, 120)}`, { location: { file, ...(line === undefined ? {} : { line }) }, cause: error });
  }
}
