/**
 * `grpo-trader train` end to end on a small synthetic market written as CSV: progress, metrics
 * JSON lines, checkpoints, summary; `--resume` reproduces an uninterrupted run bit for bit, also in
 * the run store after a kill -9 at its last steps; bad configs fail with one line naming file and field.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRASH_AT_ENV } from '../../core/crash-point.js';
import { RunStore, type RunDetail } from '../../store/run-store.js';
import { spawnCli } from '../../../test/tiny-sweep.js';
import { Rng } from '../../core/rng.js';
import { main } from '../main.js';
import { memoryIo } from '../output.js';

let dir: string;

function syntheticCsv(seed: number, drift: number, bars: number): string {
  const rng = new Rng(seed);
  const lines = ['date,open,high,low,close,volume'];
  let close = 100;
  const start = Date.UTC(2000, 0, 3);
  for (let t = 0; t < bars; t++) {
    const open = close;
    close = close * (1 + drift + 0.01 * rng.normal());
    const high = Math.max(open, close) * 1.005;
    const low = Math.min(open, close) * 0.995;
    const date = new Date(start + t * 86_400_000).toISOString().slice(0, 10);
    lines.push(`${date},${open.toFixed(4)},${high.toFixed(4)},${low.toFixed(4)},${close.toFixed(4)},${1000 + rng.int(1000)}`);
  }
  return `${lines.join('\n')}\n`;
}

const CONFIG = {
  seed: 5,
  data: { paths: ['data'] },
  splits: { train: { from: '2000-01-01', to: '2001-03-31' }, validation: { from: '2001-04-01', to: '2001-06-30' }, test: { from: '2001-07-01', to: '2001-09-30' } },
  environment: { lookback: 2, episodeLength: 20, returnHistory: 2 },
  algorithm: { hiddenSizes: [8], grpo: { groupSize: 4, rolloutSteps: 4, referenceRefreshInterval: 2 } },
  training: { envs: 2, evalInterval: 2, checkpointInterval: 3, patience: 0 },
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'grpo-train-'));
  await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, 'data')));
  await writeFile(join(dir, 'data', 'AAA.csv'), syntheticCsv(1, 0.001, 700));
  await writeFile(join(dir, 'data', 'BBB.csv'), syntheticCsv(2, 0, 700));
  await writeFile(join(dir, 'config.json'), JSON.stringify(CONFIG));
  await writeFile(
    join(dir, 'config.yaml'),
    ['seed: 5', 'data: { paths: [data] }', 'environment: { lookback: 2, episodeLength: 20, returnHistory: 2 }', 'training: { updates: 1, envs: 1 }', 'splits:', '  train: { from: "2000-01-01", to: "2001-03-31" }', '  validation: null', '  test: null', 'algorithm:', '  type: reward_penalty', '  hiddenSizes: [8]', '  rewardPenalty: { rolloutSteps: 4 }', ''].join('\n'),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function train(args: string[]) {
  const io = memoryIo();
  const status = await main(['train', ...args], io);
  return { status, io };
}

describe('grpo-trader train', () => {
  it('trains, logs metrics as JSON lines, checkpoints, and resumes bit-identically', async () => {
    const full = join(dir, 'full');
    const first = await train(['--config', join(dir, 'config.json'), '--out', full, '--updates', '6', '--json']);
    expect(first.io.err).toContain('update 6/6');
    expect(first.io.err).toContain('val sharpe');
    expect(first.status).toBe(0);
    const summary = JSON.parse(first.io.out) as { updates: number; test: { policy: { sharpe: number } } };
    expect(summary.updates).toBe(6);
    expect(Number.isFinite(summary.test.policy.sharpe)).toBe(true);
    const metrics = (await readFile(join(full, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, number>);
    expect(metrics.map((m) => m['update'])).toEqual([1, 2, 3, 4, 5, 6]);
    expect(metrics[1]!['validationSharpe']).toBeTypeOf('number');
    expect((await readdir(join(full, 'checkpoints'))).filter((n) => n.startsWith('update-')).sort()).toEqual(['update-000003', 'update-000006']);

    const split = join(dir, 'split');
    expect((await train(['--config', join(dir, 'config.json'), '--out', split, '--updates', '3'])).status).toBe(0);
    const resumed = await train(['--config', join(dir, 'config.json'), '--out', split, '--updates', '6', '--resume', split]);
    expect(resumed.status).toBe(0);
    expect(resumed.io.err).toContain('resumed from');
    expect(resumed.io.err).not.toContain('update 3/6');
    const weights = (run: string) => readFile(join(run, 'checkpoints', 'update-000006', 'networks.safetensors'));
    expect(Buffer.compare(await weights(split), await weights(full))).toBe(0);
    expect(await readFile(join(split, 'metrics.jsonl'), 'utf8')).toBe(await readFile(join(full, 'metrics.jsonl'), 'utf8'));
    const best = (run: string) => readFile(join(run, 'best', 'networks.safetensors'));
    expect(Buffer.compare(await best(split), await best(full))).toBe(0);
  });

  it('reads YAML and trains the reward-penalty agent', async () => {
    const { status, io } = await train(['--config', join(dir, 'config.yaml'), '--out', join(dir, 'yaml')]);
    expect(io.err).toContain('update 1/1');
    expect(status).toBe(0);
  });

  it('rejects a misspelt field with one line naming file and field', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ algorithm: { grpo: { groupSize: 1 } } }));
    const { status, io } = await train(['--config', bad, '--out', join(dir, 'bad')]);
    expect(status).not.toBe(0);
    expect(io.err.trim().split('\n')).toHaveLength(1);
    expect(io.err).toContain('bad.json');
    expect(io.err).toContain('algorithm.grpo.groupSize');
  });

  it('refuses a validation split that overlaps the training split, naming both and their dates, before loading data', async () => {
    const overlapping = join(dir, 'overlapping.json');
    await writeFile(overlapping, JSON.stringify({ ...CONFIG, splits: { ...CONFIG.splits, validation: { from: '2001-03-01', to: '2001-06-30' } } }));
    const { status, io } = await train(['--config', overlapping, '--out', join(dir, 'overlapping')]);
    expect(status).toBe(78);
    expect(io.err).toBe(
      `grpo-trader: ${overlapping}: field splits.validation.from = "2001-03-01": splits.validation 2001-03-01 .. 2001-06-30 overlaps splits.train 2000-01-01 .. 2001-03-31: splits.validation must start after 2001-03-31\n`,
    );
  });

  it('rejects a non-integer --updates', async () => {
    const { status, io } = await train(['--config', join(dir, 'config.json'), '--out', join(dir, 'x'), '--updates', 'ten']);
    expect(status).toBe(64);
    expect(io.err).toContain('--updates');
  });

  it('records the run in the store: config, seed, data fingerprint, training dates, checkpoints, final metrics', async () => {
    const store = join(dir, 'runs.sqlite');
    const out = join(dir, 'recorded');
    const { status, io } = await train(['--config', join(dir, 'config.json'), '--out', out, '--updates', '3', '--store', store]);
    expect(status, io.err).toBe(0);
    expect(io.err).toContain('train: recorded as run 1');
    const runs = RunStore.open(store, { mustExist: true });
    const run = runs.getRun(1);
    runs.close();
    expect(run).toMatchObject({ kind: 'train', name: 'recorded', status: 'finished', split: 'train', seed: 5, artifacts: { model_directory: out } });
    // The train split 2000-01-01 .. 2001-03-31 of daily bars from 2000-01-03: 364 days of 2000 (a leap year) + 90 of 2001.
    expect([run.first_date, run.last_date, run.bars]).toEqual(['2000-01-03', '2001-03-31', 454]);
    expect(run.data_fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(run.checkpoints.map((c) => c.path)).toContain(join(out, 'checkpoints', 'update-000003'));
    expect(run.metrics['training']!['updates']).toBe(3);
    expect(Number.isFinite(run.metrics['test']!['sharpe_ratio'])).toBe(true);
  });

  it('kill -9 at its last steps, then --resume: one run in the store, finished, with the checkpoint index of a training never interrupted', async () => {
    const args = (out: string, store: string) => ['--config', join(dir, 'config.json'), '--out', out, '--updates', '4', '--store', store];
    const whole = join(dir, 'whole');
    expect((await train(args(whole, join(dir, 'whole.sqlite')))).status).toBe(0);
    const runsOf = (file: string) => {
      const store = RunStore.open(file, { mustExist: true });
      const runs = store.listRuns().map((r) => store.getRun(r.id));
      store.close();
      return runs;
    };
    const index = (run: RunDetail, out: string) => run.checkpoints.map((c) => ({ step: c.step, path: c.path.replace(out, 'OUT'), metrics: c.metrics }));
    const [reference] = runsOf(join(dir, 'whole.sqlite'));
    // Checkpoints every 3 updates and at the end: update 4 is the second. Killed before the first
    // checkpoint (--resume starts the run over in place), after the last checkpoint's directory is written
    // but before latest.json names it (resumed from update 3), and after the store recorded the end.
    for (const point of ['train.metrics-appended@1', 'checkpoint.directory-written@2', 'train.recorded']) {
      const out = join(dir, `killed-${point}`);
      const store = join(dir, `killed-${point}.sqlite`);
      const killed = spawnCli(['train', ...args(out, store)], process.cwd(), { [CRASH_AT_ENV]: point });
      expect(await killed.exited, killed.stderr()).toBe('SIGKILL');
      const resumed = await train([...args(out, store), '--resume', out]);
      expect(resumed.status, resumed.io.err).toBe(0);
      const runs = runsOf(store);
      expect(runs.map((r) => r.status), point).toEqual(['finished']);
      expect(index(runs[0]!, out), point).toEqual(index(reference!, whole));
      expect(runs[0]!.metrics['test'], point).toEqual(reference!.metrics['test']);
    }
    // Nothing to resume: one line, and no run recorded for the attempt.
    const nothing = await train([...args(join(dir, 'never'), join(dir, 'never.sqlite')), '--resume', join(dir, 'never')]);
    expect(nothing.status).toBe(66);
    expect(nothing.io.err).toBe(`grpo-trader: ${join(dir, 'never')}: no checkpoint found (expected state.json, latest.json or checkpoints/latest.json)\n`);
    expect(existsSync(join(dir, 'never.sqlite')) ? runsOf(join(dir, 'never.sqlite')) : []).toEqual([]);
  }, 60_000);

  it('takes --data instead of the config\'s paths, and names the field, the path and how to get data when a path is missing', async () => {
    const moved = await train(['--config', join(dir, 'config.json'), '--out', join(dir, 'moved'), '--updates', '1', '--data', join(dir, 'data')]);
    expect(moved.status, moved.io.err).toBe(0);

    const example = fileURLToPath(new URL('../../../examples/dow30.yaml', import.meta.url));
    const saved = process.env['GRPO_TRADER_DATA'];
    try {
      delete process.env['GRPO_TRADER_DATA'];
      const unset = await train(['--config', example, '--out', join(dir, 'unset')]);
      expect(unset.status).toBe(66);
      expect(unset.io.err).toMatch(/^grpo-trader: \S+dow30\.yaml: field data\.paths\[0\] = "\$\{GRPO_TRADER_DATA\}\/us-equities-daily": \$\{GRPO_TRADER_DATA\} is not set; .*grpo-trader data fetch/);
      expect(unset.io.err.trim().split('\n')).toHaveLength(1);
      process.env['GRPO_TRADER_DATA'] = join(dir, 'nowhere');
      const missing = await train(['--config', example, '--out', join(dir, 'missing')]);
      expect(missing.status).toBe(66);
      expect(missing.io.err).toContain(`${join(dir, 'nowhere', 'us-equities-daily')} does not exist`);
    } finally {
      if (saved === undefined) delete process.env['GRPO_TRADER_DATA'];
      else process.env['GRPO_TRADER_DATA'] = saved;
    }
  });

  it("trains the specification's network (policy: deepseek) and resumes it bit-identically, dropout included", async () => {
    const config = { ...CONFIG, algorithm: { ...CONFIG.algorithm, policy: 'deepseek', deepseek: { hiddenDim: 8, encoderLayers: 1, encoderHeads: 2, attentionHeads: 2, decoderLayers: 1, decoderHeads: 2, feedForward: 16 } } };
    const file = join(dir, 'deepseek.json');
    await writeFile(file, JSON.stringify(config));
    const full = join(dir, 'deepseek-full');
    const split = join(dir, 'deepseek-split');
    expect((await train(['--config', file, '--out', full, '--updates', '4'])).status).toBe(0);
    expect((await train(['--config', file, '--out', split, '--updates', '2'])).status).toBe(0);
    const resumed = await train(['--config', file, '--out', split, '--updates', '4', '--resume', split]);
    expect(resumed.status, resumed.io.err).toBe(0);
    const weights = (run: string) => readFile(join(run, 'checkpoints', 'update-000004', 'networks.safetensors'));
    expect(Buffer.compare(await weights(split), await weights(full))).toBe(0);
    expect(await readFile(join(split, 'metrics.jsonl'), 'utf8')).toBe(await readFile(join(full, 'metrics.jsonl'), 'utf8'));
  });

  it('refuses an --out holding a previous run unless --resume or --overwrite, and --overwrite leaves nothing of the old run', async () => {
    // Checkpoints every update, so the old run's update-2..4 outrank a new run's update-1 when pruning.
    const config = join(dir, 'every-update.json');
    await writeFile(config, JSON.stringify({ ...CONFIG, training: { ...CONFIG.training, checkpointInterval: 1 } }));
    const run = join(dir, 'reused');
    expect((await train(['--config', config, '--out', run, '--updates', '4'])).status).toBe(0);
    const before = await readFile(join(run, 'summary.json'), 'utf8');

    const refused = await train(['--config', config, '--out', run, '--updates', '1']);
    expect(refused.status).toBe(64);
    expect(refused.io.err).toBe(`grpo-trader: --out ${run} is not empty; give a new --out, --resume DIR to continue the run in it, or --overwrite to replace it\n`);
    expect(await readFile(join(run, 'summary.json'), 'utf8')).toBe(before);
    expect((await readdir(join(run, 'checkpoints'))).sort()).toEqual(['latest.json', 'update-000002', 'update-000003', 'update-000004']);

    const replaced = await train(['--config', config, '--out', run, '--updates', '1', '--overwrite', '--json']);
    expect(replaced.status, replaced.io.err).toBe(0);
    expect((await readdir(join(run, 'checkpoints'))).sort()).toEqual(['latest.json', 'update-000001']);
    expect(JSON.parse(await readFile(join(run, 'checkpoints', 'latest.json'), 'utf8'))).toEqual({ checkpoint: 'update-000001', update: 1 });
    expect((await readFile(join(run, 'metrics.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(await readFile(join(run, 'summary.json'), 'utf8'))).toMatchObject({ updates: 1 });
    // No validation at update 1 (evalInterval 2): the old run's best/ must not survive as this run's.
    expect(await readdir(run)).not.toContain('best');
    const backtest = memoryIo();
    expect(await main(['backtest', '--model', run, '--checkpoint', 'latest', '--data', join(dir, 'data'), '--from', '2001-07-01', '--json'], backtest), backtest.err).toBe(0);
  });

  it('resumes a checkpoint into a new --out: a complete run there, the same as the run continued in place', async () => {
    const first = join(dir, 'moved-first');
    const whole = join(dir, 'moved-whole');
    const moved = join(dir, 'moved-continued');
    expect((await train(['--config', join(dir, 'config.json'), '--out', whole, '--updates', '6'])).status).toBe(0);
    expect((await train(['--config', join(dir, 'config.json'), '--out', first, '--updates', '3'])).status).toBe(0);
    const firstFiles = await readdir(join(first, 'checkpoints'));
    const resumed = await train(['--config', join(dir, 'config.json'), '--out', moved, '--updates', '6', '--resume', first, '--json']);
    expect(resumed.status, resumed.io.err).toBe(0);
    expect(JSON.parse(resumed.io.out)).toMatchObject({ updates: 6 });
    // The copy is complete: the resumed checkpoint, the later ones, latest.json, best/, metrics, summary.
    expect((await readdir(join(moved, 'checkpoints'))).sort()).toEqual(['latest.json', 'update-000003', 'update-000006']);
    expect((await readdir(moved)).sort()).toEqual(['best', 'checkpoints', 'data.json', 'metrics.jsonl', 'summary.json']);
    const weights = (run: string, checkpoint: string) => readFile(join(run, checkpoint, 'networks.safetensors'));
    expect(Buffer.compare(await weights(moved, 'checkpoints/update-000006'), await weights(whole, 'checkpoints/update-000006'))).toBe(0);
    expect(Buffer.compare(await weights(moved, 'best'), await weights(whole, 'best'))).toBe(0);
    expect(await readFile(join(moved, 'metrics.jsonl'), 'utf8')).toBe(await readFile(join(whole, 'metrics.jsonl'), 'utf8'));
    const summary = (run: string) => readFile(join(run, 'summary.json'), 'utf8').then((text) => ({ ...(JSON.parse(text) as object), seconds: 0 }));
    expect(await summary(moved)).toEqual(await summary(whole));
    // The resumed run is left as it was.
    expect(await readdir(join(first, 'checkpoints'))).toEqual(firstFiles);
  });

  it('refuses a latest.json that points outside its folder, or is truncated, with one line naming the file', async () => {
    const victim = join(dir, 'victim');
    expect((await train(['--config', join(dir, 'config.json'), '--out', victim, '--updates', '1'])).status).toBe(0);
    const evil = join(dir, 'evil');
    await mkdir(join(evil, 'checkpoints'), { recursive: true });
    const pointer = join(evil, 'checkpoints', 'latest.json');
    await writeFile(pointer, JSON.stringify({ checkpoint: '../../victim/checkpoints/update-000001', update: 1 }));
    const escaped = await train(['--config', join(dir, 'config.json'), '--resume', evil, '--out', join(dir, 'evil-out'), '--updates', '2']);
    expect(escaped.status).toBe(65);
    expect(escaped.io.err).toBe(`grpo-trader: ${pointer}: field checkpoint = "../../victim/checkpoints/update-000001": does not name a checkpoint of its folder (expected "update-NNNNNN")\n`);

    await writeFile(pointer, '{"checkpoint": "update-00');
    const truncated = await train(['--resume', evil, '--out', join(dir, 'evil-out'), '--updates', '2']);
    expect(truncated.status).toBe(65);
    expect(truncated.io.err).toMatch(new RegExp(`^grpo-trader: ${pointer}: not valid JSON \\(.*\\): the file is truncated or damaged\\n$`));
  });

  it('names the file and the field of a date that is not a calendar date', async () => {
    const file = join(dir, 'bad-date.json');
    await writeFile(file, JSON.stringify({ ...CONFIG, splits: { ...CONFIG.splits, train: { from: '2013-13-45', to: '2014-01-01' } } }));
    const { status, io } = await train(['--config', file, '--out', join(dir, 'bad-date')]);
    expect(status).toBe(78);
    expect(io.err).toMatch(new RegExp(`^grpo-trader: ${file}: field splits\\.train\\.from = "2013-13-45": .*\\n$`));
  });

  it('quotes only a short printable excerpt of a config file that is binary, JSON or YAML', async () => {
    const rng = new Rng(3);
    const bytes = Buffer.from(Array.from({ length: 3000 }, () => rng.int(256)));
    for (const name of ['binary.yaml', 'binary.json']) {
      const file = join(dir, name);
      await writeFile(file, bytes);
      const { status, io } = await train(['--config', file, '--out', join(dir, 'binary')]);
      expect(status).toBe(78);
      expect(io.err.startsWith(`grpo-trader: ${file}`)).toBe(true);
      expect(io.err.trim().split('\n')).toHaveLength(1);
      expect(io.err.length).toBeLessThan(300);
      // eslint-disable-next-line no-control-regex
      expect(io.err.slice(0, -1)).not.toMatch(/[\u0000-\u001f\ufffd]/);
    }
  });
});

