import { describe, expect, it } from 'vitest';
import { link, mkdir, mkdtemp, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkLineLengths, checkOutputFile, prepareOutputDirectory, readFileBounded, readJsonFile, writeDirectoryAtomic, writeFileAtomic } from './fs.js';

async function scratch(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'gt-fs-'));
}

describe('writeFileAtomic', () => {
  it('writes the content, creates missing folders and leaves no temporary file', async () => {
    const dir = await scratch();
    const path = join(dir, 'nested', 'out.txt');
    await writeFileAtomic(path, 'first');
    await writeFileAtomic(path, 'second');
    expect(await readFile(path, 'utf8')).toBe('second');
    expect(await readdir(join(dir, 'nested'))).toEqual(['out.txt']);
  });
});

describe('readFileBounded', () => {
  it('refuses a device before reading it (/dev/zero would be read without end)', async () => {
    await expect(readFileBounded('/dev/zero')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('not a regular file') as string, location: { file: '/dev/zero' } });
  });

  it('refuses a directory, a file above the size limit and a line above the line limit, naming file and line', async () => {
    const dir = await scratch();
    await expect(readFileBounded(dir)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('a directory') as string });
    const big = join(dir, 'big.csv');
    await writeFile(big, 'x'.repeat(1001));
    await expect(readFileBounded(big, { maxBytes: 1000 })).rejects.toMatchObject({ code: 'INVALID_DATA', message: 'larger than the 1000 bytes a file may hold' });
    expect((await readFileBounded(big, { maxBytes: 1001 })).length).toBe(1001);
    const long = join(dir, 'long.csv');
    await writeFile(long, `a,b\n1,2\r\n${'9'.repeat(11)}\n`);
    await expect(readFileBounded(long, { maxBytes: 1000, maxLineLength: 10 })).rejects.toMatchObject({ code: 'INVALID_DATA', location: { file: long, line: 3 } });
    expect((await readFileBounded(long, { maxBytes: 1000, maxLineLength: 11 })).toString()).toContain('99');
    await expect(readFileBounded(join(dir, 'none.csv'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('counts lone carriage returns as line breaks', () => {
    expect(() => checkLineLengths(Buffer.from('aaaa\rbbbb\rcccc'), 'f', 4)).not.toThrow();
    expect(() => checkLineLengths(Buffer.from('aaaa\rbbbb\rccccc'), 'f', 4)).toThrow(expect.objectContaining({ location: { file: 'f', line: 3 } }));
  });
});

describe('readJsonFile', () => {
  it('reports a truncated file as CORRUPTED naming it, without echoing its content', async () => {
    const dir = await scratch();
    const file = join(dir, 'latest.json');
    await writeFile(file, `{"checkpoint": "update-0000${'\u0001'.repeat(500)}`);
    const error = (await readJsonFile(file).catch((e: unknown) => e)) as { code: string; message: string; location: unknown };
    expect(error).toMatchObject({ code: 'CORRUPTED', location: { file } });
    expect(error.message.length).toBeLessThan(250);
    expect(error.message).not.toContain('\u0001');
  });
});

describe('checkOutputFile', () => {
  it('refuses an output that is an input, also through a symlink or a hard link', async () => {
    const dir = await scratch();
    const input = join(dir, 'in.csv');
    await writeFile(input, 'date,close\n');
    await symlink(input, join(dir, 'soft.csv'));
    await link(input, join(dir, 'hard.csv'));
    const inputs = [{ option: '--input', path: input }];
    for (const name of ['in.csv', 'soft.csv', 'hard.csv']) {
      await expect(checkOutputFile(join(dir, name), { option: '--output', inputs, overwrite: true })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining(`is the input given by --input ${input}`) as string });
    }
  });

  it('refuses an existing file unless overwriting, and a directory always', async () => {
    const dir = await scratch();
    const out = join(dir, 'out.csv');
    await expect(checkOutputFile(out, { option: '--output' })).resolves.toBeUndefined();
    await writeFile(out, 'old');
    await expect(checkOutputFile(out, { option: '--output' })).rejects.toMatchObject({ message: expect.stringContaining('already exists; give another file, or --overwrite') as string });
    await expect(checkOutputFile(out, { option: '--output', overwrite: true })).resolves.toBeUndefined();
    await expect(checkOutputFile(dir, { option: '--output', overwrite: true })).rejects.toMatchObject({ message: expect.stringContaining('is a directory') as string });
  });
});

describe('prepareOutputDirectory', () => {
  const base = { option: '--out', what: 'a run', markers: ['metrics.jsonl'] } as const;

  it('creates a missing directory and accepts an empty one', async () => {
    const dir = await scratch();
    await prepareOutputDirectory(join(dir, 'a', 'b'), { ...base, existing: 'refuse' });
    expect(await readdir(join(dir, 'a', 'b'))).toEqual([]);
    await prepareOutputDirectory(join(dir, 'a', 'b'), { ...base, existing: 'refuse' });
  });

  it('refuses a non-empty directory, keeps it when continuing, and empties it only when it is its own output', async () => {
    const dir = await scratch();
    const run = join(dir, 'run');
    await mkdir(join(run, 'checkpoints'), { recursive: true });
    await writeFile(join(run, 'metrics.jsonl'), '{}\n');
    await writeFile(join(run, 'checkpoints', 'latest.json'), '{}');
    await expect(prepareOutputDirectory(run, { ...base, existing: 'refuse', hint: 'use --resume' })).rejects.toMatchObject({ message: `--out ${run} is not empty; use --resume` });
    await prepareOutputDirectory(run, { ...base, existing: 'continue' });
    expect((await readdir(run)).sort()).toEqual(['checkpoints', 'metrics.jsonl']);
    await prepareOutputDirectory(run, { ...base, existing: 'replace' });
    expect(await readdir(run)).toEqual([]);

    const foreign = join(dir, 'photos');
    await mkdir(foreign);
    await writeFile(join(foreign, 'cat.jpg'), 'meow');
    await expect(prepareOutputDirectory(foreign, { ...base, existing: 'replace' })).rejects.toMatchObject({ message: expect.stringContaining('does not hold a run') as string });
    expect(await readdir(foreign)).toEqual(['cat.jpg']);
  });

  it('never empties a directory that is or holds an input', async () => {
    const dir = await scratch();
    const run = join(dir, 'run');
    await mkdir(run);
    await writeFile(join(run, 'metrics.jsonl'), '{}\n');
    await writeFile(join(run, 'config.yaml'), 'seed: 1\n');
    const inputs = [{ option: '--config', path: join(run, 'config.yaml') }];
    await expect(prepareOutputDirectory(run, { ...base, existing: 'replace', inputs })).rejects.toMatchObject({ message: expect.stringContaining(`holds the input given by --config`) as string });
    expect((await readdir(run)).sort()).toEqual(['config.yaml', 'metrics.jsonl']);
    await expect(prepareOutputDirectory(run, { ...base, existing: 'continue', inputs: [{ option: '--data', path: run }] })).rejects.toMatchObject({ message: expect.stringContaining('is the input given by --data') as string });
  });
});

describe('writeDirectoryAtomic', () => {
  it('replaces a directory whole, keeps the old one if filling fails, and clears what a killed writer left', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'grpo-fs-dir-'));
    await writeDirectoryAtomic(dir, 'best', (t) => writeFile(join(t, 'a.txt'), 'one'));
    await writeDirectoryAtomic(dir, 'best', (t) => writeFile(join(t, 'b.txt'), 'two'));
    expect(await readdir(join(dir, 'best'))).toEqual(['b.txt']);
    await expect(writeDirectoryAtomic(dir, 'best', () => Promise.reject(new Error('disk full')))).rejects.toThrow('disk full');
    expect(await readFile(join(dir, 'best', 'b.txt'), 'utf8')).toBe('two');
    // A writer killed with its copy half written, or with the old version moved aside.
    await mkdir(join(dir, '.best.tmp-999999'));
    await mkdir(join(dir, '.best.old-999998'));
    await writeDirectoryAtomic(dir, 'best', (t) => writeFile(join(t, 'c.txt'), 'three'));
    expect(await readdir(dir)).toEqual(['best']);
    expect(await readdir(join(dir, 'best'))).toEqual(['c.txt']);
  });
});
