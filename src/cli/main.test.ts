import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram, main, reportError } from './main.js';
import { memoryIo } from './output.js';
import { ErrorCodes, exitStatusByCode, GrpoTraderError } from '../core/errors.js';

/** Every command that runs an action, as the words that name it (`['data', 'validate']`). */
function leafCommands(command: Command, prefix: string[] = []): string[][] {
  return command.commands.flatMap((sub) => (sub.commands.length > 0 ? leafCommands(sub, [...prefix, sub.name()]) : [[...prefix, sub.name()]]));
}

describe('grpo-trader CLI shell', () => {
  it('prints help and exits 0', async () => {
    const io = memoryIo();
    expect(await main(['--help'], io)).toBe(0);
    expect(io.out).toContain('Usage: grpo-trader');
  });

  it('rejects an unknown option with one line and a usage exit status', async () => {
    const io = memoryIo();
    expect(await main(['--no-such-option'], io)).toBe(64);
    expect(io.err).toBe("grpo-trader: unknown option '--no-such-option'\n");
  });

  it('maps a typed error to its location, message and exit status, without a stack trace', () => {
    const io = memoryIo();
    const status = reportError(new GrpoTraderError('INVALID_DATA', 'high below low', { location: { file: 'x.csv', line: 4, field: 'high', value: '1' } }), io);
    expect(status).toBe(65);
    expect(io.err).toBe('grpo-trader: x.csv:4: field high = "1": high below low\n');
  });

  it('reports a missing file as a user error', () => {
    const io = memoryIo();
    const error = Object.assign(new Error("ENOENT: no such file or directory, open 'nope.csv'"), { code: 'ENOENT' });
    expect(reportError(error, io)).toBe(66);
    expect(io.err).not.toContain('internal');
  });

  it('reports an unknown option before a missing required one, for every command', async () => {
    const commands = leafCommands(buildProgram(memoryIo()));
    expect(commands.length).toBeGreaterThan(15);
    for (const words of commands) {
      const io = memoryIo();
      expect(await main([...words, '--bogus'], io), words.join(' ')).toBe(64);
      expect(io.err, words.join(' ')).toBe("grpo-trader: unknown option '--bogus'\n");
    }
    const io = memoryIo();
    expect(await main(['train'], io)).toBe(64);
    expect(io.err).toBe("grpo-trader: required option '--out <dir>' not specified\n");
  });

  it('names the flag of a date that is not a calendar date', async () => {
    for (const args of [
      ['backtest', '--model', 'm', '--data', 'd', '--from', '2013-13-45'],
      ['compare', '--data', 'd', '--strategies', 'random', '--to', '2013-02-30'],
      ['online', '--model', 'm', '--data', 'd', '--state', 's', '--from', '2013-13-45'],
      ['explain', '--model', 'm', '--data', 'd', '--date', 'someday'],
      ['demo', '--train-end', '2013-00-10'],
    ]) {
      const io = memoryIo();
      expect(await main(args, io), args.join(' ')).toBe(64);
      const flag = args.find((arg, i) => arg.startsWith('--') && /\d|someday/.test(args[i + 1] ?? ''))!;
      expect(io.err).toMatch(new RegExp(`^grpo-trader: option '${flag} <date>' argument '[^']+' is invalid\\. not a calendar date`));
      expect(io.err.trim().split('\n')).toHaveLength(1);
    }
  });

  it('lists in the README exactly the exit statuses a command can end with', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const listed = /exits non-zero \(([^)]*)\)/.exec(readme.replace(/\n/g, ' '))![1]!;
    const documented = [...listed.matchAll(/(\d+) /g)].map((match) => Number(match[1])).sort();
    // UNAUTHORIZED, FORBIDDEN and RATE_LIMITED are raised by the HTTP server only (HTTP 401/403/429).
    const httpOnly = new Set<string>([ErrorCodes.unauthorized, ErrorCodes.forbidden, ErrorCodes.rateLimited]);
    const used = [...new Set(Object.entries(exitStatusByCode).filter(([code]) => !httpOnly.has(code)).map(([, status]) => status))].sort();
    expect(documented).toEqual(used);
  });
});

