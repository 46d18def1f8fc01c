/**
 * Crash points in a real child process: nothing happens without the variables; the n-th pass of the
 * named point dies with SIGKILL before the next statement; the log lists every point reached.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const module = fileURLToPath(new URL('./crash-point.ts', import.meta.url));
// Passes a.first, then b.loop three times, printing after each pass.
const script = `import { crashPoint } from ${JSON.stringify(module)};
crashPoint('a.first'); console.log('after a.first');
for (let k = 1; k <= 3; k++) { crashPoint('b.loop'); console.log('after b.loop ' + k); }`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'grpo-crash-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function child(env: Record<string, string>): Promise<{ exit: NodeJS.Signals | number | null; out: string }> {
  const environment = { ...process.env, ...env };
  for (const name of ['GRPO_TRADER_CRASH_AT', 'GRPO_TRADER_CRASH_LOG']) if (!(name in env)) delete environment[name];
  const running = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'], env: environment });
  let out = '';
  running.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve) => running.on('exit', (code, signal) => resolve({ exit: signal ?? code, out })));
}

describe('crashPoint', () => {
  it('does nothing unless asked; kills with SIGKILL at the n-th pass of the named point; logs every point reached', async () => {
    expect(await child({})).toEqual({ exit: 0, out: 'after a.first\nafter b.loop 1\nafter b.loop 2\nafter b.loop 3\n' });
    expect(await child({ GRPO_TRADER_CRASH_AT: 'a.first' })).toEqual({ exit: 'SIGKILL', out: '' });
    const log = join(dir, 'points.log');
    expect(await child({ GRPO_TRADER_CRASH_AT: 'b.loop@2', GRPO_TRADER_CRASH_LOG: log })).toEqual({ exit: 'SIGKILL', out: 'after a.first\nafter b.loop 1\n' });
    expect(await readFile(log, 'utf8')).toBe('a.first 1\nb.loop 1\nb.loop 2\n');
    // Another name, or a pass never reached: the process runs to its end.
    expect((await child({ GRPO_TRADER_CRASH_AT: 'b.loop@4' })).exit).toBe(0);
    expect((await child({ GRPO_TRADER_CRASH_AT: 'c.other' })).exit).toBe(0);
  }, 60_000);
});
