import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from './fs.js';

describe('writeFileAtomic', () => {
  it('writes the content, creates missing folders and leaves no temporary file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gt-fs-'));
    const path = join(dir, 'nested', 'out.txt');
    await writeFileAtomic(path, 'first');
    await writeFileAtomic(path, 'second');
    expect(await readFile(path, 'utf8')).toBe('second');
    expect(await readdir(join(dir, 'nested'))).toEqual(['out.txt']);
  });
});
