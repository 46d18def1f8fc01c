/**
 * A self-contained HTML report: the payload as JSON and Apache ECharts inlined, so the file opens
 * anywhere without a network. Charts: equity, drawdown, weights over time, return distribution; tables:
 * metrics, paired tests, deflated Sharpe ratios; the dates and split every number covers.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { buildReportPayload, type ReportInput } from './report-data.js';
import { PAGE_SCRIPT } from './page-script.js';

/** The main charts, each renderable alone (for PNG images). */
export const REPORT_CHARTS = ['equity', 'drawdown', 'weights', 'returns', 'importance', 'regimes'] as const;
export type ReportChart = (typeof REPORT_CHARTS)[number];

let echartsSource: string | undefined;

/** The minified ECharts bundle from the installed package, made safe to inline in a <script>. */
export function echartsScript(): string {
  if (echartsSource === undefined) {
    const path = createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js');
    echartsSource = readFileSync(path, 'utf8').replace(/<\/(script)/gi, '<\\/$1');
  }
  return echartsSource;
}

/**
 * The scripts of a self-contained chart page: `payload` as JSON (non-finite numbers as null, no "</"),
 * ECharts, and `draw` — JavaScript that reads `payload` and draws. The page's body reports how that
 * went for the headless-browser checks: `data-errors` counts script errors, `data-render-status`
 * becomes `ok`, `error`, or `error: message`.
 */
export function chartPageScripts(payload: unknown, draw: string): string {
  const json = JSON.stringify(payload, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)).replace(/</g, '\\u003c');
  return `<script type="application/json" id="payload">${json}</script>
<script>${echartsScript()}</script>
<script>
(function () {
  var errors = 0;
  window.addEventListener('error', function () { errors++; document.body.setAttribute('data-errors', String(errors)); });
  try {
    var payload = JSON.parse(document.getElementById('payload').textContent);
${draw}
    document.body.setAttribute('data-render-status', errors === 0 ? 'ok' : 'error');
  } catch (e) {
    document.body.setAttribute('data-render-status', 'error: ' + e.message);
  }
})();
</script>`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON safe inside <script type="application/json">: no "</", and ±Infinity kept as strings. */
function payloadJson(input: ReportInput): string {
  const json = JSON.stringify(buildReportPayload(input), (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? (Number.isNaN(v) ? null : v > 0 ? 'Infinity' : '-Infinity') : v));
  return json.replace(/</g, '\\u003c');
}

export const STYLE = `
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1200px; padding: 16px 24px; color: #222; }
h1 { font-size: 1.4em; margin-bottom: 0.2em; overflow-wrap: anywhere; }
h2 { font-size: 1.1em; margin-top: 1.6em; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.meta { color: #555; font-size: 0.9em; }
.split { display: inline-block; background: #e8f3e8; color: #1b5e20; border-radius: 4px; padding: 1px 6px; font-weight: 600; }
.chart { width: 100%; height: 420px; }
table { border-collapse: collapse; font-size: 0.85em; margin: 8px 0; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; white-space: nowrap; }
tr:first-child th { background: #f4f4f4; text-align: center; }
tr th:first-child { text-align: left; }
pre { background: #f7f7f7; padding: 8px; overflow: auto; max-height: 320px; font-size: 0.8em; }
.scroll { overflow-x: auto; }
`;

/** The whole report page, or (with `onlyChart`) a page holding one chart at a fixed size, for screenshots. */
export function renderReportHtml(input: ReportInput, options: { onlyChart?: ReportChart; width?: number; height?: number } = {}): string {
  const run = input.run;
  const head = `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>${escapeHtml(input.title)}</title>\n<style>${STYLE}</style>\n</head>\n`;
  const data = `<script type="application/json" id="report-data">${payloadJson(input)}</script>\n<script>${echartsScript()}</script>\n<script>${PAGE_SCRIPT}</script>\n`;
  if (options.onlyChart) {
    const width = options.width ?? 1200;
    const height = options.height ?? 600;
    return `${head}<body data-only-chart="${options.onlyChart}" style="margin:0;padding:0;max-width:none;background:#fff">\n<div id="chart-${options.onlyChart}" style="width:${width}px;height:${height}px"></div>\n${data}</body>\n</html>\n`;
  }
  const dates = `${escapeHtml(run.first)} .. ${escapeHtml(run.last)} (${run.bars} bars)`;
  const body = `<body>
<h1>${escapeHtml(input.title)}</h1>
<p class="meta">${run.id !== undefined ? `Run ${run.id} · ` : ''}${escapeHtml(run.kind)} · recorded ${escapeHtml(run.created_at ?? 'now')}</p>
<p>Every number below covers <strong>${dates}</strong>, split <span class="split">${escapeHtml(run.split)}</span>.
Returns are daily, net of trading costs; metrics start at the first close after the starting portfolio is bought.</p>
<h2>Walk-forward windows</h2>
<div class="scroll" id="table-windows"></div>
<h2>Metrics</h2>
<div class="scroll" id="table-metrics"></div>
<h2>Equity</h2>
<div class="chart" id="chart-equity"></div>
<h2>Drawdown</h2>
<div class="chart" id="chart-drawdown"></div>
<h2>Weights over time</h2>
<label>Series: <select id="weights-series"></select></label>
<div class="chart" id="chart-weights"></div>
<h2>Return distribution</h2>
<div class="chart" id="chart-returns"></div>
<div id="section-importance">
<h2>What the policy attended to</h2>
<p class="meta">The DeepSeek-R1 policy's feature-attention weights (specification 2.1.2) for each decision: each asset's share of the attention, averaged over the feature window; below, the mean weight of each asset's features and of each bar of the window. They show what the network weighted when it produced the decision — not a causal attribution, and not evidence that a feature predicts returns.</p>
<div class="chart" id="chart-importance"></div>
<div class="scroll" id="table-importance"></div>
</div>
<div id="section-online">
<h2>Regime timeline</h2>
<p class="meta">The market regime the online agent's detector knew at each bar's close (−1 before its first fit; labels keep their meaning across refits), its stability (share of the most common label among the last 10), and the version of the model that traded (it changes at each promotion or rollback).</p>
<div class="chart" id="chart-regimes"></div>
<h2>Online learning events</h2>
<p class="meta">Every regime refit, champion/challenger evaluation on the held-out trailing window, promotion, drift alarm on live returns and rollback, in order (updates are counted in the metrics, not listed).</p>
<div class="scroll" id="table-events"></div>
</div>
<h2>Paired tests</h2>
<p class="meta">Daily returns of the same dates are paired: paired t-test, Wilcoxon signed-rank (zero differences dropped), paired Cohen's d, and a circular block-bootstrap 95% interval of the annualised Sharpe difference.</p>
<div class="scroll" id="table-tests"></div>
<h2>Deflated Sharpe ratio</h2>
<p class="meta">Bailey &amp; López de Prado (2014): the probability that the true Sharpe ratio exceeds the best one expected from as many unskilled strategies as were tried here.</p>
<div class="scroll" id="table-deflated"></div>
<h2>Configuration</h2>
<pre>${escapeHtml(JSON.stringify(run.config, null, 2))}</pre>
${run.data === undefined ? '' : `<h2>Data</h2>\n<pre>${escapeHtml(JSON.stringify(run.data, null, 2))}</pre>\n`}<p class="meta">Generated by grpo-trader. Charts: Apache ECharts (Apache-2.0), inlined.</p>
${data}</body>
</html>
`;
  return head + body;
}
