/**
 * Sizes a machine cannot hold are refused before anything is allocated: `grpo-trader train` with a
 * huge size in its config, or a model whose checkpoint state.json was edited to one, exits with the
 * config status (78) and one line naming the file and the field. Run as child processes, as a user
 * runs them: what this guards against is V8 aborting the process (exit 134, heap out of memory) or
 * an internal error ("Invalid typed array length"), which only a real process shows. The children get
 * a 512 MB heap so that, without the bounds, they fail fast instead of filling the machine.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY_MODEL_CONFIG, trainTinyModel } from '../../../test/tiny-model.js';

let dir: string;
let dataDir: string;
let model: string;

/** The CLI from source as a child process with a small heap; its exit code and output. */
function cli(args: string[], environment: Record<string, string> = {}): Promise<{ code: number | null; signal: string | null; out: string; err: string }> {
  const child = spawn(process.execPath, ['--max-old-space-size=512', '--import', 'tsx', join(process.cwd(), 'test', 'run-cli.ts'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...environment },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, out, err })));
}

/** Write the tiny model's training config over its data with some sections replaced; returns its path. */
async function config(name: string, sections: Record<string, unknown>): Promise<string> {
  const file = join(dir, `${name}.json`);
  await writeFile(file, JSON.stringify({ ...TINY_MODEL_CONFIG, data: { ...TINY_MODEL_CONFIG.data, paths: [dataDir] }, ...sections }));
  return file;
}

function expectOneLine(err: string): void {
  expect(err.trim().split('\n'), err).toHaveLength(1);
  expect(err).toMatch(/^grpo-trader: /);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'grpo-bounds-'));
  ({ model, dataDir } = await trainTinyModel(dir, { bars: 420 }));
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('huge sizes in a training config', () => {
  for (const [name, sections, field] of [
    ['envs', { training: { ...TINY_MODEL_CONFIG.training, envs: 1e9 } }, 'training.envs'],
    ['hidden', { algorithm: { type: 'grpo', hiddenSizes: [1e9] } }, 'algorithm.hiddenSizes.0'],
    ['group', { algorithm: { type: 'grpo', hiddenSizes: [8], grpo: { groupSize: 1e8 } } }, 'algorithm.grpo.groupSize'],
  ] as const) {
    it(`refuses ${field} = ${name === 'group' ? '1e8' : '1e9'} with exit 78 and one line naming the file and the field`, async () => {
      const file = await config(name, sections);
      const { code, signal, err } = await cli(['train', '--config', file, '--out', join(dir, `out-${name}`)]);
      expect({ code, signal }, err).toEqual({ code: 78, signal: null });
      expectOneLine(err);
      expect(err).toContain(`${file}: field ${field} = `);
      expect(err).toMatch(/must be at most \d+: /);
    }, 120_000);
  }

  it('refuses sizes that are each in bounds but together over the memory limit, naming the field that dominates', async () => {
    // 2 envs × 64 steps × G 1024 × 3 assets: the loss tensors of one update, 16 float32 per sampled action value, are 25 MB
    // (the largest part), and groupSize is the field furthest above its default (128×; rolloutSteps 4×, envs 0.25×).
    const file = await config('memory', { algorithm: { type: 'grpo', hiddenSizes: [8], grpo: { groupSize: 1024, rolloutSteps: 64 } } });
    const { code, err } = await cli(['train', '--config', file, '--out', join(dir, 'out-memory')], { GRPO_TRADER_MEMORY_LIMIT: '16MB' });
    expect(code, err).toBe(78);
    expectOneLine(err);
    expect(err).toContain(`${file}: field algorithm.grpo.groupSize = "1024": training would need about `);
    expect(err).toMatch(/over the limit of 15\.3 MiB \(GRPO_TRADER_MEMORY_LIMIT\)/);
  }, 120_000);
});

describe('huge online sizes', () => {
  const online = (flags: string[]) => ['online', '--model', model, '--data', dataDir, '--from', '2011-02-01', '--state', join(dir, `online-${flags.join('')}`), '--no-report', ...flags];

  it('refuses --buffer-capacity 1e9 with one line naming the flag and the bound', async () => {
    const { code, err } = await cli(online(['--buffer-capacity', '1e9']));
    expect(code, err).toBe(64);
    expectOneLine(err);
    expect(err).toMatch(/^grpo-trader: --buffer-capacity must be at most 1000000: the replay buffer holds capacity transitions .*; got "1e9"\n$/);
  }, 120_000);

  it('refuses a replay buffer in bounds but over the memory budget, naming bufferCapacity', async () => {
    // 1,000,000 transitions of the tiny model's 24-value observations (221 MB) and 18 trees of 2²⁰ leaves (302 MB), over a 64 MB budget.
    const { code, err } = await cli(online(['--buffer-capacity', '1000000']), { GRPO_TRADER_MEMORY_LIMIT: '64MB' });
    expect(code, err).toBe(78);
    expectOneLine(err);
    expect(err).toMatch(/^grpo-trader: field bufferCapacity = "1000000": online learning would need about .* over the limit of 61\.0 MiB \(GRPO_TRADER_MEMORY_LIMIT\); the largest part is the replay buffer \(1000000 transitions of \d+-value observations\), .*: lower bufferCapacity\n$/);
  }, 120_000);
});

describe("a checkpoint's state.json edited to a huge size", () => {
  beforeAll(async () => {
    // Every checkpoint of the run: best/ and checkpoints/update-*.
    const checkpoints = (await readdir(join(model, 'checkpoints'))).filter((name) => name.startsWith('update-')).map((name) => join(model, 'checkpoints', name));
    for (const checkpoint of [join(model, 'best'), ...checkpoints]) {
      const file = join(checkpoint, 'state.json');
      const state = JSON.parse(await readFile(file, 'utf8')) as { config: { algorithm: { hiddenSizes: number[] } } };
      state.config.algorithm.hiddenSizes = [1e9];
      await writeFile(file, JSON.stringify(state));
    }
  });

  it('is refused when the model is loaded, naming the file and the field', async () => {
    const { code, err } = await cli(['export', '--model', model, '--out', join(dir, 'policy.onnx')]);
    expect(code, err).toBe(78);
    expectOneLine(err);
    expect(err).toContain(`${join(model, 'best', 'state.json')}: field algorithm.hiddenSizes.0 = "1000000000": must be at most 8192`);
  }, 120_000);

  it('is refused by train --resume, naming the file and the field', async () => {
    const { code, err } = await cli(['train', '--resume', model, '--out', join(dir, 'resumed')]);
    expect(code, err).toBe(78);
    expectOneLine(err);
    expect(err).toMatch(/update-\d{6}\/state\.json: field algorithm\.hiddenSizes\.0 = "1000000000": must be at most 8192/);
  }, 120_000);
});

describe('huge sizes on the command line', () => {
  const cases: [string[], string][] = [
    [['demo', '--assets', '1e9', '--bars', '400', '--policy', 'mlp'], '--assets'],
    [['demo', '--bars', '1e9', '--policy', 'mlp'], '--bars'],
    [['sweep', '--config', 'none.yaml', '--workers', '1000000'], '--workers'],
    [['worker', '--queue', 'redis://127.0.0.1:1', '--concurrency', '1000000'], '--concurrency'],
  ];
  for (const [args, flag] of cases) {
    it(`refuses ${flag} ${args[args.indexOf(flag) + 1]} with exit 64 and one line naming the flag and its bound`, async () => {
      const result = await cli([...args, ...(args[0] === 'demo' ? ['--out', join(dir, `demo-${flag.slice(2)}`)] : [])]);
      expect(result.code, result.err).toBe(64);
      expectOneLine(result.err);
      expect(result.err).toMatch(new RegExp(`^grpo-trader: ${flag} must be at most \\d+: `));
    });
  }
});
