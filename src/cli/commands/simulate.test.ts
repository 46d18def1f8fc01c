import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../main.js';
import { memoryIo } from '../output.js';

let dir: string;

function ohlcv(closes: number[]): string {
  const dates = ['2020-01-01', '2020-01-02', '2020-01-03', '2020-01-06'];
  return ['date,open,high,low,close,volume', ...closes.map((c, i) => `${dates[i]},${c},${c},${c},${c},1000`)].join('\n') + '\n';
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'grpo-simulate-'));
  await writeFile(join(dir, 'A.csv'), ohlcv([100, 110, 99, 99]));
  await writeFile(join(dir, 'B.csv'), ohlcv([50, 50, 55, 60]));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function simulate(weights: string, extra: string[] = []) {
  const weightsFile = join(dir, `w-${Math.random().toString(36).slice(2)}.csv`);
  await writeFile(weightsFile, weights);
  const output = join(dir, `equity-${Math.random().toString(36).slice(2)}.csv`);
  const io = memoryIo();
  const status = await main(['simulate', '--data', join(dir, 'A.csv'), join(dir, 'B.csv'), '--weights', weightsFile, '--output', output, ...extra], io);
  return { status, io, output, weightsFile };
}

function parseEquity(text: string) {
  const [header, ...rows] = text.trim().split('\n');
  return { header, rows: rows.map((row) => row.split(',')) };
}

describe('grpo-trader simulate', () => {
  it('writes value after each date\'s costs, cost and turnover (hand-computed)', async () => {
    const { status, io, output } = await simulate('date,A,B\n2020-01-01,1,0\n2020-01-02,0,1\n', ['--initial-capital', '1000', '--trading-cost', '0.001', '--slippage', '0.0005']);
    expect(io.err).not.toMatch(/error/);
    expect(status).toBe(0);
    const { header, rows } = parseEquity(await readFile(output, 'utf8'));
    expect(header).toBe('date,value,cost,turnover');
    expect(rows.map((r) => r[0])).toEqual(['2020-01-01', '2020-01-02', '2020-01-03', '2020-01-06']);
    // day 1: buy A: cost 1000·0.0015; day 2: A +10% → 1098.35, switch to B: cost 2·1098.35·0.0015
    const expected = [
      [998.5, 1.5, 1],
      [1095.05495, 3.29505, 2],
      [1204.560445, 0, 0],
      [1204.560445 * (60 / 55), 0, 0],
    ];
    rows.forEach((row, i) => {
      expect(Number(row[1])).toBeCloseTo(expected[i]![0]!, 7);
      expect(Number(row[2])).toBeCloseTo(expected[i]![1]!, 9);
      expect(Number(row[3])).toBeCloseTo(expected[i]![2]!, 12);
    });
  });

  it('normalises weights as 4.2.3 (gross cap, then per-asset cap) and starts at the first weights date', async () => {
    const { status, output, io } = await simulate('date,B,A\n2020-01-02,0.6,0.8\n', ['--initial-capital', '1000', '--trading-cost', '0', '--slippage', '0', '--max-position-size', '1', '--max-asset-weight', '0.5', '--json']);
    expect(status).toBe(0);
    // gross 1.4 → A 0.8/1.4 = 0.571 → clipped 0.5; B 0.6/1.4 = 3/7
    const { rows } = parseEquity(await readFile(output, 'utf8'));
    expect(rows.map((r) => r[0])).toEqual(['2020-01-02', '2020-01-03', '2020-01-06']);
    expect(Number(rows[0]![3])).toBeCloseTo(0.5 + 3 / 7, 12);
    // day 3: A −10%, B +10%: 1000·(1 − 0.05 + 0.3/7)
    expect(Number(rows[1]![1])).toBeCloseTo(1000 * (1 - 0.05 + 0.3 / 7), 9);
    expect(JSON.parse(io.out).rows).toBe(3);
  });

  it('names an unknown symbol column', async () => {
    const { status, io, weightsFile } = await simulate('date,A,ZZZ\n2020-01-01,1,0\n');
    expect(status).toBe(65);
    expect(io.err).toContain(`${weightsFile}:1: field ZZZ`);
    expect(io.err).toMatch(/not a symbol of the market data/);
  });

  it('names a date outside the data, a date that is not a bar, and a non-numeric cell', async () => {
    let run = await simulate('date,A,B\n2020-01-01,1,0\n2021-05-01,0,1\n');
    expect(run.status).toBe(65);
    expect(run.io.err).toContain(`${run.weightsFile}:3: field date = "2021-05-01"`);
    run = await simulate('date,A,B\n2020-01-04,1,0\n');
    expect(run.status).toBe(65);
    expect(run.io.err).toMatch(/2020-01-04 is not a bar of the market data/);
    expect(run.io.err).toContain(run.weightsFile);
    run = await simulate('date,A,B\n2020-01-01,1,abc\n');
    expect(run.status).toBe(65);
    expect(run.io.err).toContain(`${run.weightsFile}:2: field B = "abc"`);
    run = await simulate('date,A,B\n2020-01-01,1,\n');
    expect(run.io.err).toContain(`${run.weightsFile}:2: field B = ""`);
  });

  it('rejects a bad numeric flag in one line', async () => {
    const { status, io } = await simulate('date,A,B\n2020-01-01,1,0\n', ['--trading-cost', '-1']);
    expect(status).toBe(64);
    expect(io.err.trim().split('\n')).toHaveLength(1);
    expect(io.err).toMatch(/--trading-cost must be a number >= 0/);
  });

  it('refuses to write over one of its inputs (the weights or a data file, also through a symlink), and over an existing file unless --overwrite', async () => {
    const { symlink } = await import('node:fs/promises');
    const weights = join(dir, 'own-weights.csv');
    const text = 'date,A,B\n2020-01-01,0.5,0.5\n';
    await writeFile(weights, text);
    await symlink(join(dir, 'A.csv'), join(dir, 'link-to-A.csv'));
    const before = await readFile(join(dir, 'A.csv'), 'utf8');
    for (const [output, option] of [[weights, '--weights'], [join(dir, 'A.csv'), '--data'], [join(dir, 'link-to-A.csv'), '--data']] as const) {
      for (const overwrite of [[], ['--overwrite']]) {
        const io = memoryIo();
        expect(await main(['simulate', '--data', join(dir, 'A.csv'), join(dir, 'B.csv'), '--weights', weights, '--output', output, ...overwrite], io)).toBe(64);
        expect(io.err).toMatch(new RegExp(`^grpo-trader: --output ${output} is the input given by ${option} \\S+; write the output elsewhere\\n$`));
      }
    }
    expect(await readFile(weights, 'utf8')).toBe(text);
    expect(await readFile(join(dir, 'A.csv'), 'utf8')).toBe(before);

    const { output } = await simulate(text);
    const again = memoryIo();
    expect(await main(['simulate', '--data', join(dir, 'A.csv'), join(dir, 'B.csv'), '--weights', weights, '--output', output], again)).toBe(64);
    expect(again.err).toBe(`grpo-trader: --output ${output} already exists; give another file, or --overwrite to replace it\n`);
    expect(await main(['simulate', '--data', join(dir, 'A.csv'), join(dir, 'B.csv'), '--weights', weights, '--output', output, '--overwrite'], memoryIo())).toBe(0);
  });
});

