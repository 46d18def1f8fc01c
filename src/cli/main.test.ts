import { describe, expect, it } from 'vitest';
import { main, reportError } from './main.js';
import { memoryIo } from './output.js';
import { GrpoTraderError } from '../core/errors.js';

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
});
