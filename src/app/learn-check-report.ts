/**
 * The planted-market suite's page: the summary table with each market's verdict, and per market a chart
 * of every run's test Sharpe — the agent beside the best simple rule, the oracle and equal weight on the
 * same market — with the run table (paired tests and deflated Sharpe against equal weight). One
 * self-contained HTML file (ECharts inlined), checked in headless Chromium like the other reports.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chartPageScripts, escapeHtml, STYLE } from '../backtest/report/render-html.js';
import { writeFileAtomic } from '../core/fs.js';
import { learnCheckTable, type LearnCheckResult } from './learn-check.js';

function number(value: number | null, digits = 2): string {
  return value !== null && Number.isFinite(value) ? value.toFixed(digits) : '–';
}

/** Draws one bar chart per market (agent, best rule, oracle, equal weight per run) from the payload. */
const DRAW = `    payload.forEach(function (m, index) {
      var bar = function (name, data, colour) { return { name: name, type: 'bar', data: data, itemStyle: { color: colour } }; };
      echarts.init(document.getElementById('chart-' + index), null, { renderer: 'canvas' }).setOption({
        animation: false, grid: { left: 60, right: 20, top: 40, bottom: 30 }, legend: { top: 0 },
        tooltip: { trigger: 'axis' },
        xAxis: { type: 'category', data: m.runs }, yAxis: { type: 'value', name: 'test Sharpe' },
        series: [bar('agent', m.agent, '#1565c0'), bar('best rule', m.rule, '#ef6c00'), bar('oracle', m.oracle, '#2e7d32'), bar('equal weight', m.equalWeight, '#9e9e9e')]
      });
    });`;

/** The page as one HTML string. */
export function renderLearnCheckHtml(result: LearnCheckResult, title = 'learn-check'): string {
  const o = result.options;
  const table = learnCheckTable(result);
  const summaryRows = table.rows.map((row, k) => `<tr>${row.map((cell, c) => (c === 0 ? `<th>${escapeHtml(cell)}</th>` : `<td${c === row.length - 1 ? ` class="${result.markets[k]!.verdict.met ? 'met' : 'missed'}"` : ''}>${escapeHtml(cell)}</td>`)).join('')}</tr>`).join('\n');
  const payload = result.markets.map((m) => {
    const runs = result.runs.filter((r) => r.market === m.market);
    return {
      market: m.market,
      runs: runs.map((r) => `run ${r.run + 1}`),
      agent: runs.map((r) => r.agent.testSharpe),
      rule: runs.map((r) => r.bestRule.testSharpe),
      oracle: runs.map((r) => r.oracle.testSharpe),
      equalWeight: runs.map((r) => r.equalWeight.testSharpe),
    };
  });
  const sections = result.markets
    .map((m, index) => {
      const runs = result.runs.filter((r) => r.market === m.market);
      const rows = runs
        .map(
          (r) =>
            `<tr><th>run ${r.run + 1}</th><td>${r.marketSeed}</td><td>${r.seed}</td><td>${number(r.agent.testSharpe)}</td><td>${r.agent.bestUpdate ?? r.agent.updates}</td><td style="text-align:left">${escapeHtml(r.bestRule.name)}</td><td>${number(r.bestRule.testSharpe)}</td><td>${number(r.oracle.testSharpe)}</td><td>${number(r.equalWeight.testSharpe)}</td><td>${m.verdict.edge ? number(r.ratioToRule) : '–'}</td><td>${number(r.versusEqualWeight.pairedT.pValue, 4)}</td><td>${number(r.versusEqualWeight.wilcoxon.pValue, 4)}</td><td>${number(r.versusEqualWeight.deflatedSharpe, 3)}</td><td>${r.versusEqualWeight.significant ? 'yes' : 'no'}</td></tr>`,
        )
        .join('\n');
      return `<h2>${escapeHtml(m.market)}</h2>
<p class="meta">${escapeHtml(m.description)}<br>Simple rules: ${escapeHtml(m.rules)} (the best on validation is the reference).</p>
<p class="verdict ${m.verdict.met ? 'met' : 'missed'}">Goal: ${escapeHtml(m.verdict.goal)} — <b>${escapeHtml(m.verdict.text)}</b></p>
<div id="chart-${index}" class="chart" style="height:320px"></div>
<div class="scroll"><table><tr><th>run</th><th>market seed</th><th>training seed</th><th>agent Sharpe</th><th>selected update</th><th>best rule</th><th>rule Sharpe</th><th>oracle</th><th>equal weight</th><th>agent/rule</th><th>paired t p</th><th>Wilcoxon p</th><th>deflated Sharpe</th><th>significant</th></tr>
${rows}
</table></div>`;
    })
    .join('\n');
  const s = result.splits;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>${STYLE}
.met { color: #1b5e20; } .missed { color: #b71c1c; } .verdict { margin: 4px 0; }
tr:first-child th { white-space: normal; min-width: 3.5em; } /* headers wrap, so the verdict column fits beside the numbers */
</style></head>
<body data-render-status="pending" data-errors="0" data-markets="${result.markets.length}" data-runs="${result.runs.length}">
<h1>${escapeHtml(title)}: does the agent learn what is learnable?</h1>
<p class="meta">Planted SYNTHETIC markets (not real prices), ${o.assets} assets × ${o.bars} business days each; ${o.seeds} run${o.seeds === 1 ? '' : 's'} per market (${o.fixedMarket ? 'one market per name, a new training seed per run' : 'a new market and a new training seed per run'}); ${o.updates} training updates per run; config ${escapeHtml(o.configFile ?? 'the schema defaults')}.<br>
Splits: train ${escapeHtml(s.train.from)} .. ${escapeHtml(s.train.to)}, validation ${escapeHtml(s.validation.from)} .. ${escapeHtml(s.validation.to)} (model and rule selection), <span class="split">test ${escapeHtml(s.test.from)} .. ${escapeHtml(s.test.to)}</span> (${result.testBars} bars, out of sample). Every Sharpe ratio below is annualised, on the test split, through the same accounting and costs.</p>
<h2>Summary</h2>
<div class="scroll"><table><tr>${table.header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>
${summaryRows}
</table></div>
<p class="meta">Medians over runs. best rule: the rule chosen on validation in most runs (+k: other rules chosen in other runs). agent/rule: the agent's test Sharpe over the best simple rule's on the same market (the rule chosen on validation), median and 95 % t interval of the mean over runs. signif.: runs whose agent is significantly ahead of equal weight — paired t-test of daily returns, two-sided p &lt; ${o.alpha} with the agent's mean ahead. On the null market every such call is a false positive. Deflated Sharpe: the probability that the agent's Sharpe ratio in excess of equal weight beats the best of N = ${o.seeds} unskilled runs (Bailey &amp; López de Prado).</p>
${sections}
${chartPageScripts(payload, DRAW)}
</body></html>
`;
}

/** Write the page as `{directory}/report.html`; returns its path. */
export async function writeLearnCheckReport(result: LearnCheckResult, directory: string, title?: string): Promise<string> {
  await mkdir(directory, { recursive: true });
  const path = join(directory, 'report.html');
  await writeFileAtomic(path, renderLearnCheckHtml(result, title));
  return path;
}
