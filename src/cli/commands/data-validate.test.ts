import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../main.js';
import { memoryIo } from '../output.js';
import { itRealData, realDataPath } from '../../../test/real-data.js';
import { syntheticSeries } from '../../../test/synthetic-files.js';
import { formatOhlcvCsv } from '../../data/write-ohlcv.js';

let directory: string;
let bad: string;
let good: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'grpo-validate-'));
  bad = join(directory, 'BAD.csv');
  good = join(directory, 'GOOD.csv');
  await writeFile(
    bad,
    ['date,open,high,low,close,volume', '2020-01-02,10,11,9,10,1', '2020-01-03,10,11,9,abc,2', '2020-01-03,10,11,9,10,3', '2020-01-06,10,8,9,8.5,4', ''].join('\n'),
  );
  await writeFile(good, ['date,open,high,low,close,volume', '2020-01-02,10,11,9,10,1', '2020-01-03,10,11,9,10.5,0', ''].join('\n'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('grpo-trader data validate', () => {
  it('prints every problem as file:line: field "value": what, and exits 65', async () => {
    const io = memoryIo();
    const status = await main(['data', 'validate', bad], io);
    expect(status).toBe(65);
    const lines = io.out.trim().split('\n');
    expect(lines.slice(0, 3)).toEqual([
      `${bad}:3: close "abc": not a number`,
      `${bad}:4: date "2020-01-03": duplicate timestamp, already on line 3`,
      `${bad}:5: high "8": high is below low 9`,
    ]);
    expect(lines[3]).toMatch(/BAD\.csv: 3 problems, 4 rows read/);
    expect(io.err.trim().split('\n')).toHaveLength(1);
    expect(io.err).toMatch(/^grpo-trader: 3 problems in 1 file/);
  });

  it('repairs on request, reports each repair, and exits 0', async () => {
    const io = memoryIo();
    const status = await main(['data', 'validate', bad, '--drop-invalid', '--drop-duplicates', 'last'], io);
    expect(status).toBe(0);
    expect(io.out).toContain('repaired: dropped 2 invalid rows (lines 3, 5)');
    expect(io.out).toContain(`${bad}: ok, 4 rows read, 2 loaded from 2020-01-02 to 2020-01-03`);
    expect(io.err).toBe('');
  });

  it('walks a directory and writes machine-readable JSON with --json', async () => {
    const io = memoryIo();
    const status = await main(['data', 'validate', directory, '--json'], io);
    expect(status).toBe(65);
    const json = JSON.parse(io.out) as { ok: boolean; problems: number; files: Array<{ file: string; ok: boolean; problems: unknown[]; warnings: Array<{ kind: string }>; loadedRows?: number }> };
    expect(json.ok).toBe(false);
    expect(json.problems).toBe(3);
    expect(json.files.map((file) => [file.file, file.ok])).toEqual([
      [bad, false],
      [good, true],
    ]);
    expect(json.files[1]!.loadedRows).toBe(2);
    expect(json.files[1]!.warnings.map((warning) => warning.kind)).toEqual(['zero-volume']);
  });

  it('refuses rows out of order in an oldest-first file (exit 65) and sorts them with --sort (exit 0)', async () => {
    // 30 synthetic daily bars with the rows on file lines 11 and 12 swapped: line 12 steps back in time.
    const lines = formatOhlcvCsv(syntheticSeries({ assets: 1, bars: 30, seed: 51 })[0]!).trim().split('\n');
    [lines[10], lines[11]] = [lines[11]!, lines[10]!];
    // Its own directory, so the directory walk above sees only BAD.csv and GOOD.csv.
    const own = await mkdtemp(join(tmpdir(), 'grpo-validate-sort-'));
    try {
      const path = join(own, 'SWAPPED.csv');
      await writeFile(path, `${lines.join('\n')}\n`);
      const refused = memoryIo();
      expect(await main(['data', 'validate', path], refused)).toBe(65);
      expect(refused.out).toContain(`${path}:12: date "${lines[11]!.split(',')[0]}"`);
      const io = memoryIo();
      expect(await main(['data', 'validate', path, '--sort'], io)).toBe(0);
      expect(io.out).toContain('repaired: sorted 30 rows by timestamp; 1 row was out of order (line 12)');
      expect(io.err).toBe('');
    } finally {
      await rm(own, { recursive: true, force: true });
    }
  });

  itRealData('messy', 'passes the real messy files when the out-of-order rows are sorted', async () => {
    const io = memoryIo();
    const status = await main(['data', 'validate', realDataPath('messy'), '--sort'], io);
    expect(status).toBe(0);
    expect(io.out).toContain('3 files checked, 0 with problems, 0 problems in all');
    expect(io.out).toContain('repaired: sorted 20111 rows by timestamp; 5 rows were out of order (lines 16901, 16903, 16905, 16907, 16909)');
  });

  it('exits 66 with one line for a missing file', async () => {
    const io = memoryIo();
    const status = await main(['data', 'validate', join(directory, 'nope.csv')], io);
    expect(status).toBe(66);
    expect(io.err).toBe(`grpo-trader: ${join(directory, 'nope.csv')}: no such file or directory\n`);
    expect(io.out).toBe('');
  });

  it('exits 64 with one line for a bad flag value', async () => {
    const io = memoryIo();
    const status = await main(['data', 'validate', good, '--date-format', 'weird'], io);
    expect(status).toBe(64);
    expect(io.err).toMatch(/--date-format "weird" is not one of/);
  });

  it('refuses what is not a regular file (a device such as /dev/zero) and a line above 64 KiB, with one line, before parsing', async () => {
    const device = memoryIo();
    expect(await main(['data', 'validate', '/dev/zero'], device)).toBe(64);
    expect(device.err).toBe('grpo-trader: /dev/zero: not a regular file (a device, pipe or socket); give a file\n');
    const path = join(directory, 'long-line.csv');
    await writeFile(path, `date,open,high,low,close,volume\n2020-01-01,${'9'.repeat(70 * 1024)},1,1,1,1\n`);
    const io = memoryIo();
    expect(await main(['data', 'validate', path], io)).toBe(65);
    expect(io.err).toBe(`grpo-trader: ${path}:2: line longer than 64 KiB (not a text file of rows?)\n`);
    expect(io.out).toBe('');
  });

  it('quotes at most a short printable excerpt of a binary file in every problem it prints', async () => {
    const path = join(directory, 'binary.csv');
    let state = 7;
    // A tiny linear congruential generator: bytes of every value, without a \n (one long header line).
    const bytes = Buffer.from(Array.from({ length: 4000 }, () => ((state = (state * 1103515245 + 12345) % 2 ** 31) >> 8) % 256).map((b) => (b === 10 || b === 13 ? 32 : b)));
    await writeFile(path, bytes);
    const io = memoryIo();
    expect(await main(['data', 'validate', path], io)).toBe(65);
    for (const line of `${io.out}${io.err}`.trim().split('\n')) {
      expect(line.length).toBeLessThan(300);
      // eslint-disable-next-line no-control-regex
      expect(line).not.toMatch(/[\u0000-\u001f\ufffd]/);
    }
  });
});

