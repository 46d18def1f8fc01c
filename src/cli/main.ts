/**
 * The `grpo-trader` command line: a thin adapter over the library. Every command takes --help,
 * writes data as JSON with --json, and on a user's mistake prints one line and exits non-zero.
 */
import { Command, CommanderError, InvalidArgumentError, type Option } from 'commander';
import { parseTimestamp } from '../data/dates.js';
import { GrpoTraderError, exitStatusByCode, formatLocation } from '../core/errors.js';
import { processIo, type CliIo } from './output.js';
import { commands } from './commands/index.js';

export function buildProgram(io: CliIo): Command {
  const program = new Command('grpo-trader')
    .description('Reinforcement-learning trading research: data, features, environments, GRPO agents, backtests.')
    .version(packageVersion(), '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => io.stderr(s),
      // One line per usage error, named like every other error the CLI prints.
      outputError: (s, write) => write(`grpo-trader: ${s.replace(/^error: /, '')}`),
    });
  for (const register of commands) register(program, io);
  // Commander checks required options before unknown ones, so `train --bogus` would blame a missing
  // --out: required options are checked here instead, after parsing has reported unknown options.
  const required = new Map<Command, Option[]>();
  // Subcommands inherit the output settings and error handling.
  const configure = (command: Command): void => {
    for (const sub of command.commands) {
      sub.exitOverride().configureOutput(program.configureOutput());
      const mandatory = sub.options.filter((option) => option.mandatory);
      for (const option of mandatory) option.makeOptionMandatory(false);
      if (mandatory.length > 0) required.set(sub, mandatory);
      // Every `<date>` option is checked as it is parsed, so a bad date names its flag.
      for (const option of sub.options) if (option.flags.includes('<date>') && option.parseArg === undefined) option.argParser(dateArgument);
      configure(sub);
    }
  };
  configure(program);
  program.hook('preAction', (_program, action) => {
    for (const option of required.get(action) ?? []) {
      if (action.getOptionValue(option.attributeName()) === undefined) action.error(`error: required option '${option.flags}' not specified`, { code: 'commander.missingMandatoryOptionValue' });
    }
  });
  return program;
}

/** A `<date>` option's value: any year-first date or datetime that is a real calendar date (kept as written). */
function dateArgument(value: string): string {
  if (Number.isNaN(parseTimestamp(value, 'iso'))) throw new InvalidArgumentError('not a calendar date (expected YYYY-MM-DD or an ISO datetime, with a month 01-12 and a day that month has)');
  return value;
}

/** Run the CLI with the given arguments; resolves to the process exit status. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    return reportError(error, io);
  }
}

/** Map any error to one line on stderr and an exit status. */
export function reportError(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    // Commander already printed its message (or help/version output, which exit 0).
    return error.exitCode === 0 ? 0 : 64;
  }
  if (error instanceof GrpoTraderError) {
    const where = formatLocation(error.location);
    io.stderr(`grpo-trader: ${where ? `${where}: ` : ''}${error.message}\n`);
    return exitStatusByCode[error.code];
  }
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
    // A Node system error (ENOENT, EACCES...): the user's path, not our bug.
    io.stderr(`grpo-trader: ${message}\n`);
    return code === 'ENOENT' ? 66 : 74;
  }
  io.stderr(`grpo-trader: internal error: ${message}\n`);
  return 70;
}

function packageVersion(): string {
  return '0.1.0';
}
