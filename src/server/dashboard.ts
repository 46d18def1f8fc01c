/**
 * The dashboard at `/`: live equity against the equal-weight benchmark, the weights over time (a
 * heatmap of asset × date, the latest largest positions spelled out), the regime and the model
 * version that trades, alerts and online-learning events — updated from the server-sent events of
 * `/v1/stream`. Self-contained (ECharts inlined): it works with no network.
 */
import { echartsScript } from '../backtest/report/render-html.js';
import type { LiveEvent } from '../live/types.js';

const STYLE = `
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; padding: 12px 20px; color: #222; background: #fafafa; }
h1 { font-size: 1.25em; margin: 0 0 8px; }
.tiles { display: flex; flex-wrap: wrap; gap: 10px; margin-bottom: 10px; }
.tile { background: #fff; border: 1px solid #e3e3e3; border-radius: 6px; padding: 6px 12px; min-width: 110px; }
.tile .label { color: #666; font-size: 0.75em; text-transform: uppercase; letter-spacing: 0.04em; }
.tile .value { font-size: 1.15em; font-weight: 600; }
.grid { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 10px; }
.panel { background: #fff; border: 1px solid #e3e3e3; border-radius: 6px; padding: 8px; min-width: 0; }
.chart { width: 100%; height: 320px; }
.caption { color: #555; font-size: 0.8em; margin: 2px 0 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; font-size: 0.8em; width: 100%; }
td, th { border-bottom: 1px solid #eee; padding: 2px 6px; text-align: left; vertical-align: top; overflow-wrap: break-word; }
td.when, td.kind { white-space: nowrap; }
td.when { font-variant-numeric: tabular-nums; }
.list { max-height: 260px; overflow: auto; }
.critical { color: #b71c1c; font-weight: 600; }
.warning { color: #e65100; }
#state.running { color: #1b5e20; } #state.paused { color: #e65100; } #state.failed { color: #b71c1c; }
@media (max-width: 900px) { .grid { grid-template-columns: minmax(0, 1fr); } body { padding: 8px 10px; } }
`;

const SCRIPT = String.raw`
(function () {
  'use strict';
  var body = document.body;
  var errors = 0;
  window.addEventListener('error', function () { errors += 1; body.setAttribute('data-errors', String(errors)); });
  var dates = [], values = [], bench = [], weightRows = [], symbols = [], decisions = 0;
  var equityElement = document.getElementById('chart-equity'), weightsElement = document.getElementById('chart-weights');
  var equity = echarts.init(equityElement);
  var weights = echarts.init(weightsElement);
  // The weights' columns and the charts' heights depend on the width: drawn again.
  window.addEventListener('resize', function () { equity.resize(); weights.resize(); schedule(); });
  function text(id, value) { var el = document.getElementById(id); if (el) el.textContent = value; }
  function fmt(x, digits) { return typeof x === 'number' && isFinite(x) ? x.toLocaleString(undefined, { maximumFractionDigits: digits }) : '–'; }
  function percent(x) { return typeof x === 'number' && isFinite(x) ? (x > 0 ? '+' : x < 0 ? '−' : '') + Math.abs(x * 100).toFixed(1) + ' %' : '–'; }
  function escapeHtml(s) { return String(s).replace(/[&<>"']/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; }); }
  // Date and rule cells never wrap (the message does); a wall-clock time reads "2024-01-02 14:30:00", not ISO's "T".
  function when(iso) { return String(iso).slice(0, 19).replace('T', ' '); }
  function row(tableId, cells, cls) {
    var table = document.getElementById(tableId);
    var tr = document.createElement('tr');
    if (cls) tr.className = cls;
    cells.forEach(function (c, i) { var td = document.createElement('td'); if (i < 2) td.className = i === 0 ? 'when' : 'kind'; td.textContent = c; tr.appendChild(td); });
    table.insertBefore(tr, table.firstChild);
    while (table.children.length > 300) table.removeChild(table.lastChild);
  }
  // One row per asset in the weights heatmap: tall enough for every asset's label (30 Dow stocks included).
  function chartHeight() { return Math.max(320, 110 + 13 * symbols.length); }
  var pending = false;
  function draw() {
    pending = false;
    // Side by side, the equity chart is as tall as the weights; stacked (narrow screens), it keeps its own height.
    var height = chartHeight() + 'px', equityHeight = window.matchMedia('(min-width: 901px)').matches ? height : '320px';
    if (weightsElement.style.height !== height || equityElement.style.height !== equityHeight) {
      weightsElement.style.height = height; equityElement.style.height = equityHeight;
      equity.resize(); weights.resize();
    }
    equity.setOption({
      animation: false,
      tooltip: { trigger: 'axis' },
      // Above the plot: ECharts 6 puts a legend at the bottom by default, on top of the date labels.
      legend: { top: 0, data: ['online agent', 'equal weight'] },
      grid: { left: 70, right: 20, top: 36, bottom: 30 },
      xAxis: { type: 'category', data: dates },
      yAxis: { type: 'value', scale: true },
      series: [
        { name: 'online agent', type: 'line', data: values, showSymbol: false },
        { name: 'equal weight', type: 'line', data: bench, showSymbol: false, lineStyle: { type: 'dashed' } }
      ]
    });
    // A heatmap (asset × date, blue long, red short), not stacked areas: readable with 30 assets and
    // with short positions, whose negative areas a stack draws on top of the long ones. ECharts paints
    // heatmap cells over several animation frames (15 ms each), restarted by every redraw of the live
    // stream: at most ~4,000 cells (and 3 px a column), each column the mean weight of its bars.
    var n = weightRows.length, A = symbols.length;
    var columns = Math.max(1, Math.min(n, Math.floor(Math.max(weightsElement.clientWidth - 90, 30) / 3), Math.floor(4000 / Math.max(A, 1))));
    var cells = [], labels = [], spans = [], largest = 0;
    for (var b = 0; b < columns; b++) {
      var from = Math.floor(b * n / columns), to = Math.floor((b + 1) * n / columns);
      labels.push(dates[from]); spans.push([from, to - 1]);
      for (var a = 0; a < A; a++) {
        var sum = 0;
        for (var t = from; t < to; t++) sum += weightRows[t][a];
        var mean = sum / Math.max(to - from, 1);
        cells.push([b, a, mean]);
        if (Math.abs(mean) > largest) largest = Math.abs(mean);
      }
    }
    if (n === 0) labels = [];
    var bound = largest > 0 ? Math.ceil(largest * 20) / 20 : 1;
    function span(b) { var s = spans[b]; return s[0] === s[1] ? dates[s[0]] : dates[s[0]] + ' .. ' + dates[s[1]] + ' (mean of ' + (s[1] - s[0] + 1) + ' bars)'; }
    weights.setOption({
      animation: false,
      tooltip: { formatter: function (p) { return escapeHtml(span(p.value[0])) + '<br>' + escapeHtml(symbols[p.value[1]]) + ': ' + percent(p.value[2]); } },
      grid: { left: 70, right: 20, top: 44, bottom: 30 },
      xAxis: { type: 'category', data: labels, splitArea: { show: false } },
      yAxis: { type: 'category', data: symbols, inverse: true, axisLabel: { interval: 0, fontSize: A > 16 ? 10 : 12 }, splitArea: { show: false } },
      visualMap: { type: 'continuous', min: -bound, max: bound, orient: 'horizontal', top: 0, right: 10, itemWidth: 12, itemHeight: 120, text: ['long', 'short'], textGap: 6, formatter: percent, inRange: { color: ['#b2182b', '#f7f7f7', '#2166ac'] } },
      series: [{ type: 'heatmap', data: cells, progressive: 0 }]
    }, true);
    var latest = weightRows[weightRows.length - 1];
    if (latest) {
      var order = latest.map(function (w, a) { return a; }).sort(function (a, b) { return Math.abs(latest[b]) - Math.abs(latest[a]); }).slice(0, 5);
      text('weights-latest', 'Largest positions on ' + dates[dates.length - 1] + ': ' + order.map(function (a) { return symbols[a] + ' ' + percent(latest[a]); }).join(', ') + (symbols.length > 5 ? ' (5 of ' + symbols.length + '; hover a cell for any other)' : '') + (n > columns ? '. Each column is the mean of about ' + Math.round(n / columns) + ' bars.' : ''));
    }
    body.setAttribute('data-decisions', String(decisions));
  }
  function schedule() { if (!pending) { pending = true; setTimeout(draw, 200); } }
  function handle(type, d) {
    if (type === 'decision') onDecision(d);
    else if (type === 'online') onOnline(d);
    else if (type === 'alert') onAlert(d);
    else if (type === 'status') status(d);
  }
  function status(s) {
    text('state', s.state || '–');
    var st = document.getElementById('state'); if (st) st.className = s.state || '';
    if (s.champion !== undefined) text('champion', 'v' + s.champion);
    if (s.updates !== undefined) text('updates', String(s.updates));
    if (s.event === 'activation') row('events', [when(new Date().toISOString()), 'activation', 'model ' + s.model]);
  }
  function onDecision(d) {
    decisions += 1;
    if (!symbols.length) symbols = d.symbols;
    dates.push(d.date.slice(0, 10)); values.push(d.value); bench.push(d.benchmark); weightRows.push(d.weights);
    if (dates.length > 2000) { dates.shift(); values.shift(); bench.shift(); weightRows.shift(); }
    text('date', d.date.slice(0, 10)); text('value', fmt(d.value, 0)); text('benchmark', fmt(d.benchmark, 0));
    text('regime', d.regime + ' (' + fmt(d.stability, 2) + ')'); text('champion', 'v' + d.champion);
  }
  function onOnline(ev) {
    if (ev.kind === 'update') { text('updates', String(ev.payload.update)); return; }
    var details = Object.keys(ev.payload).slice(0, 5).map(function (k) { var v = ev.payload[k]; return k + ' ' + (typeof v === 'number' ? fmt(v, 3) : String(v)); }).join(', ');
    row('events', [when(ev.date), ev.kind, details]);
  }
  function onAlert(a) {
    row('alerts', [when(a.date || a.raised_at), a.rule, a.message], a.severity);
    text('alert-count', String(document.getElementById('alerts').children.length));
  }
  // The history embedded in the page is drawn now; the stream continues after its last event.
  var initial = JSON.parse(document.getElementById('initial').textContent);
  var last = 0;
  initial.forEach(function (e) { handle(e.type, e.data); last = Math.max(last, e.seq); });
  draw();
  if (initial.length > 0) {
    var source = new EventSource('/v1/stream?after=' + last);
    ['decision', 'online', 'alert', 'status'].forEach(function (type) {
      source.addEventListener(type, function (e) { handle(type, JSON.parse(e.data)); if (type === 'decision') schedule(); });
    });
  } else {
    text('state', 'no live session');
  }
  fetch('/v1/models').then(function (r) { return r.json(); }).then(function (m) {
    var active = m.models.filter(function (x) { return x.active; })[0];
    text('model', active ? active.id + ' (' + active.algorithm + ', update ' + active.update + ')' : '–');
  });
  body.setAttribute('data-render-status', 'ok');
})();
`;

/** The page, with the live session's events so far (empty: no live session) embedded as JSON. */
export function dashboardHtml(initial: readonly LiveEvent[]): string {
  const data = JSON.stringify(initial, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)).replace(/</g, '\\u003c');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>grpo-trader live</title><style>${STYLE}</style></head>
<body data-decisions="0" data-errors="0">
<h1>grpo-trader — live online learning</h1>
<div class="tiles">
<div class="tile"><div class="label">state</div><div class="value" id="state">–</div></div>
<div class="tile"><div class="label">date</div><div class="value" id="date">–</div></div>
<div class="tile"><div class="label">value</div><div class="value" id="value">–</div></div>
<div class="tile"><div class="label">equal weight</div><div class="value" id="benchmark">–</div></div>
<div class="tile"><div class="label">regime (stability)</div><div class="value" id="regime">–</div></div>
<div class="tile"><div class="label">trading model</div><div class="value" id="champion">–</div></div>
<div class="tile"><div class="label">updates</div><div class="value" id="updates">–</div></div>
<div class="tile"><div class="label">alerts</div><div class="value" id="alert-count">0</div></div>
<div class="tile"><div class="label">model</div><div class="value" id="model">–</div></div>
</div>
<div class="grid">
<div class="panel"><strong>Equity against equal weight</strong><div class="chart" id="chart-equity"></div></div>
<div class="panel"><strong>Weights</strong> <span class="caption">(each asset's share of the portfolio at each date; blue long, red short)</span><div class="chart" id="chart-weights"></div><p class="caption" id="weights-latest"></p></div>
<div class="panel"><strong>Alerts</strong><div class="list"><table><tbody id="alerts"></tbody></table></div></div>
<div class="panel"><strong>Online learning events</strong> (refits, evaluations, promotions, alarms, rollbacks)<div class="list"><table><tbody id="events"></tbody></table></div></div>
</div>
<p style="color:#777;font-size:0.8em">API: <a href="/docs">/docs</a> · <a href="/openapi.json">/openapi.json</a> · <a href="/metrics">/metrics</a> · <a href="/v1/online/status">/v1/online/status</a></p>
<script type="application/json" id="initial">${data}</script>
<script>${echartsScript()}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}
