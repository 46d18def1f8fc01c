/**
 * The `grpo-trader` command line: a thin adapter over the library. Every command takes --help,
 * writes data as JSON with --json, and on a user's mistake prints one line and exits non-zero.
 */
import { Command, CommanderError } from 'commander';
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
  // Subcommands inherit the output settings and error handling.
  const configure = (command: Command): void => {
    for (const sub of command.commands) {
      sub.exitOverride().configureOutput(program.configureOutput());
      configure(sub);
    }
  };
  configure(program);
  return program;
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
