/**
 * A sweep's report page: the objective of every trial in order (finished, pruned, the selected one),
 * parameter importance, and the table with deflated Sharpe ratios and the selected configuration's one
 * test evaluation. One self-contained HTML file (ECharts inlined), checked in headless Chromium.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chartPageScripts, escapeHtml, STYLE } from '../backtest/report/render-html.js';
import { writeFileAtomic } from '../core/fs.js';
import { importanceUnavailable } from './importance.js';
import type { SweepSummary } from './run-sweep.js';
import { formatParams } from './search-space.js';

function number(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '–';
}

/** Draws the objective of every trial and, with 4+ finished trials, the parameters' importance. */
const DRAW = `    var data = payload;
    var colour = { finished: '#1565c0', pruned: '#9e9e9e', failed: '#c62828' };
    var points = data.trials.filter(function (t) { return t.objective !== null; }).map(function (t) {
      return { value: [t.trial, t.objective], itemStyle: { color: t.selected ? '#e65100' : colour[t.status] }, symbolSize: t.selected ? 16 : 9, name: t.status };
    });
    echarts.init(document.getElementById('objective'), null, { renderer: 'canvas' }).setOption({
      animation: false, grid: { left: 60, right: 20, top: 20, bottom: 40 },
      tooltip: { formatter: function (p) { return 'trial ' + p.value[0] + ' (' + p.name + '): ' + p.value[1].toFixed(3); } },
      xAxis: { type: 'value', name: 'trial', minInterval: 1 }, yAxis: { type: 'value', name: 'objective', scale: true },
      series: [{ type: 'scatter', data: points }]
    });
    if (document.getElementById('importance')) echarts.init(document.getElementById('importance'), null, { renderer: 'canvas' }).setOption({
      animation: false, grid: { left: 220, right: 30, top: 10, bottom: 30 },
      xAxis: { type: 'value', min: 0, max: 1 }, yAxis: { type: 'category', data: data.importance.map(function (d) { return d.name; }) },
      series: [{ type: 'bar', data: data.importance.map(function (d) { return d.value; }), itemStyle: { color: '#1565c0' } }]
    });`;

/** The sweep's self-contained HTML report page. */
export function renderSweepHtml(summary: SweepSummary): string {
  const payload = {
    trials: summary.rows.map((r) => ({ trial: r.trial + 1, status: r.status, objective: Number.isFinite(r.objective) ? r.objective : null, selected: summary.best?.trial === r.trial })),
    importance: Object.entries(summary.importance).map(([name, value]) => ({ name, value: Number.isFinite(value) ? value : 0 })).sort((a, b) => a.value - b.value),
  };
  const rows = summary.rows
    .map((r) => `<tr><th>#${r.trial + 1}${summary.best?.trial === r.trial ? ' (selected)' : ''}</th><td>${escapeHtml(r.status)}</td><td>${number(r.objective, 3)}</td><td>${r.folds.map((f) => number(f.sharpe, 2)).join(' / ')}</td><td>${number(r.deflatedSharpe, 3)}</td><td style="text-align:left">${escapeHtml(formatParams(r.params, { fullPaths: true, separator: ', ' }))}</td></tr>`)
    .join('\n');
  const final = summary.final
    ? `<p>Selected configuration, trained on the base config's train and validation splits and evaluated <b>once</b> on the test split <span class="split">test ${escapeHtml(summary.final.test.from)} .. ${escapeHtml(summary.final.test.to)}</span>: Sharpe <b>${number(summary.final.test.policy.sharpe, 3)}</b>, return ${number(summary.final.test.policy.totalReturn * 100, 2)}% (equal weight: Sharpe ${number(summary.final.test.equalWeight.sharpe, 3)}, return ${number(summary.final.test.equalWeight.totalReturn * 100, 2)}%).</p>`
    : '<p>The selected configuration was not evaluated on a test split (the base config has none).</p>';
  const folds = summary.folds.map((f, k) => `fold ${k + 1}: train ${f.train.from} .. ${f.train.to}, validation ${f.validation.from} .. ${f.validation.to}`).join('<br>');
  // An empty chart of zero bars would read as "no parameter matters": say why there is none instead.
  const unavailable = importanceUnavailable(summary.rows.filter((r) => r.status === 'finished'));
  const importance = unavailable === undefined
    ? `<div id="importance" class="chart" style="height:${Math.max(160, 60 + 40 * payload.importance.length)}px"></div>`
    : `<p id="importance-missing">Not computed: importance ${escapeHtml(unavailable)}.</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sweep ${summary.sweepId}: ${escapeHtml(summary.name)}</title>
<style>${STYLE}</style></head>
<body data-render-status="pending" data-errors="0" data-trials="${summary.rows.length}">
<h1>Sweep ${summary.sweepId}: ${escapeHtml(summary.name)}</h1>
<p class="meta">${summary.rows.length} trials (${summary.trialsRun} ran, ${summary.rows.filter((r) => r.status === 'pruned').length} pruned), sampler ${escapeHtml(summary.config.sampler.type)}, seed ${summary.config.sampler.seed}. Objective: mean annualised validation Sharpe over ${summary.folds.length} walk-forward folds <span class="split">validation</span><br>${folds}</p>
<h2>Objective by trial</h2>
<div id="objective" class="chart"></div>
<h2>Parameter importance</h2>
<p class="meta">Share of the objective's variance across the finished trials explained by each parameter alone (η²; marginal, noisy with few trials; needs at least 4 finished trials).</p>
${importance}
<h2>Trials</h2>
<p class="meta">Deflated Sharpe ratio (Bailey &amp; López de Prado): the probability that a trial's validation Sharpe beats the expected best of ${summary.trialsRun} trials without skill (expected max ${number(summary.expectedMaxSharpe, 4)} per bar). The search itself inflates the best objective; this is its cost.</p>
<div class="scroll"><table><tr><th>trial</th><th>status</th><th>objective</th><th>fold Sharpe</th><th>deflated Sharpe</th><th>parameters</th></tr>
${rows}
</table></div>
<h2>Out of sample</h2>
${final}
${chartPageScripts(payload, DRAW)}
</body></html>
`;
}

/** Write the page as `{out dir}/report.html`; returns its path. */
export async function writeSweepReport(summary: SweepSummary, directory = summary.outDir): Promise<string> {
  await mkdir(directory, { recursive: true });
  const path = join(directory, 'report.html');
  await writeFileAtomic(path, renderSweepHtml(summary));
  return path;
}
