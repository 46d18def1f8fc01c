/**
 * The sweep report's parameter-importance section: a chart only when importance was computed, a
 * sentence saying why otherwise (an empty chart of zero bars reads as "no parameter matters").
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatSweepTable } from '../cli/commands/sweep.js';
import { checkPageInChromium, findChromium } from '../backtest/report/chromium.js';
import { parameterImportance } from './importance.js';
import type { SweepSummary, SweepTableRow } from './run-sweep.js';
import { renderSweepHtml } from './sweep-report.js';

function row(trial: number, status: SweepTableRow['status'], objective: number): SweepTableRow {
  return { trial, params: { lr: 0.001 * (trial + 1) }, status, objective, folds: [], returns: [], seconds: 1, host: null, runId: trial + 2, periodSharpe: 0, deflatedSharpe: 0.5 };
}

/** A summary holding only what the page reads, its importance computed by the real function. */
function summaryOf(rows: SweepTableRow[]): SweepSummary {
  return {
    sweepId: 1, name: 'tiny', status: 'finished', outDir: '.', folds: [],
    config: { sampler: { type: 'random', seed: 7 } } as SweepSummary['config'],
    trialsRun: rows.length, expectedMaxSharpe: 0.1, rows, best: rows[0] ?? null, final: null,
    importance: parameterImportance(rows.filter((r) => r.status === 'finished')),
  };
}

describe('sweep report: parameter importance', () => {
  it('says why instead of drawing an empty chart when fewer than 4 trials finished', async () => {
    const summary = summaryOf([row(0, 'finished', 1.2), row(1, 'finished', 0.4), row(2, 'pruned', -0.3), row(3, 'finished', 0.9)]);
    expect(Number.isNaN(summary.importance['lr'])).toBe(true);
    const html = renderSweepHtml(summary);
    expect(html).not.toContain('id="importance"');
    expect(html).toContain('Not computed: importance needs at least 4 finished trials, and this sweep has 3.');
    if (findChromium()) {
      const dir = await mkdtemp(join(tmpdir(), 'grpo-sweep-report-'));
      try {
        await writeFile(join(dir, 'report.html'), html);
        const check = await checkPageInChromium(join(dir, 'report.html'));
        expect(check.ok, check.consoleErrors.join(' | ')).toBe(true);
        // The objective chart only.
        expect(check.canvases).toBe(1);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
  }, 120_000);

  it('says why when every finished trial has the same objective, in the report and in the printed table', () => {
    const summary = summaryOf([0, 1, 2, 3].map((k) => row(k, 'finished', 0.5)));
    const html = renderSweepHtml(summary);
    expect(html).not.toContain('id="importance"');
    expect(html).toContain('all 4 finished trials have the same objective');
    expect(formatSweepTable(summary)).toContain('parameter importance: all 4 finished trials have the same objective, so no parameter explains any of its variance\n');
  });

  it('draws the chart once importance is computed', () => {
    const html = renderSweepHtml(summaryOf([row(0, 'finished', 1.2), row(1, 'finished', 0.4), row(2, 'finished', -0.3), row(3, 'finished', 0.9)]));
    expect(html).toContain('<div id="importance" class="chart"');
    expect(html).not.toContain('Not computed');
  });
});
