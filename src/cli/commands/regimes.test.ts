import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticCsvs } from '../../../test/synthetic-files.js';
import { main } from '../main.js';
import { memoryIo } from '../output.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'grpo-regimes-'));
  await writeSyntheticCsvs(join(dir, 'data'), { assets: 3, bars: 400, seed: 9 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('grpo-trader regimes', () => {
  it('prints every bar\'s label as known at its close, the stability and the refits, as JSON', async () => {
    const io = memoryIo();
    expect(await main(['regimes', '--data', join(dir, 'data'), '--regimes', '3', '--json'], io), io.err).toBe(0);
    const series = JSON.parse(io.out) as { source: string; dates: string[]; labels: number[]; stability: number[]; refits: { bar: number; reason: string }[]; importance: { explainedVariance: number[] } };
    expect(series.source).toBe('equal-weight composite of 3 assets');
    expect(series.dates).toHaveLength(400);
    expect(series.labels).toHaveLength(400);
    // 20 bars for the first feature row, 3 regimes × 20 rows for the first fit: bar 78.
    expect(series.labels.slice(0, 78).every((l) => l === -1)).toBe(true);
    expect(series.refits[0]).toMatchObject({ bar: 78, reason: 'first' });
    expect(series.labels.slice(78).every((l) => l >= 0 && l < 3)).toBe(true);
    expect(series.importance.explainedVariance).toHaveLength(2);
  });

  it('says in one line, and in --json, why no bar is labelled over too few bars, naming the bars needed', async () => {
    // First feature row at bar 20, then 4 regimes × 20 rows for the first fit: 20 + 80 − 1 = 99 bars.
    const text = memoryIo();
    expect(await main(['regimes', '--data', join(dir, 'data'), '--to', '2010-03-05'], text), text.err).toBe(0);
    const line = text.out.trim();
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toMatch(/no bar labelled: the first fit needs 99 bars .*got 45/);
    const json = memoryIo();
    expect(await main(['regimes', '--data', join(dir, 'data'), '--to', '2010-03-05', '--json'], json), json.err).toBe(0);
    const series = JSON.parse(json.out) as { labels: number[]; barsNeeded: number; note: string | null };
    expect(series.labels.every((l) => l === -1)).toBe(true);
    expect(series.barsNeeded).toBe(99);
    expect(series.note).toMatch(/needs 99 bars .*got 45/);
    expect(json.err).toMatch(/warning: no bar labelled/);
    const enough = memoryIo();
    expect(await main(['regimes', '--data', join(dir, 'data'), '--json'], enough), enough.err).toBe(0);
    expect((JSON.parse(enough.out) as { note: string | null }).note).toBeNull();
  });

  it('reads one symbol when asked, prints a summary without --json, and names an unknown symbol', async () => {
    const text = memoryIo();
    expect(await main(['regimes', '--data', join(dir, 'data'), '--symbol', 'SYN02'], text), text.err).toBe(0);
    expect(text.out).toContain('regime source: SYN02');
    expect(text.out).toMatch(/refits: \d+/);
    const bad = memoryIo();
    expect(await main(['regimes', '--data', join(dir, 'data'), '--symbol', 'NOPE'], bad)).toBe(64);
    expect(bad.err).toMatch(/symbol NOPE is not in the data/);
  });
});
