/** Write a report: the self-contained HTML file and, optionally, PNG images of the main charts. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../../core/fs.js';
import { screenshot } from './chromium.js';
import type { ReportInput } from './report-data.js';
import { REPORT_CHARTS, renderReportHtml } from './render-html.js';

export interface WriteReportOptions {
  /** Also write `<chart>.png` for each main chart (needs Chromium). */
  png?: boolean;
  width?: number;
  height?: number;
}

/** Write `report.html` (and the PNGs) into `directory`; returns the paths written. */
export async function writeReport(input: ReportInput, directory: string, options: WriteReportOptions = {}): Promise<{ html: string; images: string[] }> {
  const html = join(directory, 'report.html');
  await writeFileAtomic(html, renderReportHtml(input));
  const images: string[] = [];
  if (options.png) {
    const width = options.width ?? 1200;
    const height = options.height ?? 600;
    const scratch = await mkdtemp(join(tmpdir(), 'grpo-report-'));
    try {
      for (const chart of REPORT_CHARTS) {
        if ((chart === 'importance' && !input.explanations) || (chart === 'regimes' && !input.online)) continue;
        const page = join(scratch, `${chart}.html`);
        await writeFileAtomic(page, renderReportHtml(input, { onlyChart: chart, width, height }));
        const png = join(directory, `${chart}.png`);
        await screenshot(page, png, width, height);
        images.push(png);
      }
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
  return { html, images };
}
