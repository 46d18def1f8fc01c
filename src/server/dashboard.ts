/**
 * The dashboard at `/`: live equity against the equal-weight benchmark, the weights over time, the
 * regime and the model version that trades, alerts and online-learning events — updated from the
 * server-sent events of `/v1/stream`. Self-contained (ECharts inlined): it works with no network.
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
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 10px; }
.panel { background: #fff; border: 1px solid #e3e3e3; border-radius: 6px; padding: 8px; }
.chart { width: 100%; height: 320px; }
table { border-collapse: collapse; font-size: 0.8em; width: 100%; }
td, th { border-bottom: 1px solid #eee; padding: 2px 6px; text-align: left; }
.list { max-height: 260px; overflow: auto; }
.critical { color: #b71c1c; font-weight: 600; }
.warning { color: #e65100; }
#state.running { color: #1b5e20; } #state.paused { color: #e65100; } #state.failed { color: #b71c1c; }
@media (max-width: 900px) { .grid { grid-template-columns: 1fr; } }
`;

const SCRIPT = String.raw`
(function () {
  'use strict';
  var body = document.body;
  var errors = 0;
  window.addEventListener('error', function () { errors += 1; body.setAttribute('data-errors', String(errors)); });
  var dates = [], values = [], bench = [], weightRows = [], symbols = [], decisions = 0;
  var equity = echarts.init(document.getElementById('chart-equity'));
  var weights = echarts.init(document.getElementById('chart-weights'));
  window.addEventListener('resize', function () { equity.resize(); weights.resize(); });
  function text(id, value) { var el = document.getElementById(id); if (el) el.textContent = value; }
  function fmt(x, digits) { return typeof x === 'number' && isFinite(x) ? x.toLocaleString(undefined, { maximumFractionDigits: digits }) : '–'; }
  function row(tableId, cells, cls) {
    var table = document.getElementById(tableId);
    var tr = document.createElement('tr');
    if (cls) tr.className = cls;
    cells.forEach(function (c) { var td = document.createElement('td'); td.textContent = c; tr.appendChild(td); });
    table.insertBefore(tr, table.firstChild);
    while (table.children.length > 300) table.removeChild(table.lastChild);
  }
  var pending = false;
  function draw() {
    pending = false;
    equity.setOption({
      animation: false,
      tooltip: { trigger: 'axis' },
      legend: { data: ['online agent', 'equal weight'] },
      grid: { left: 70, right: 20, top: 30, bottom: 30 },
      xAxis: { type: 'category', data: dates },
      yAxis: { type: 'value', scale: true },
      series: [
        { name: 'online agent', type: 'line', data: values, showSymbol: false },
        { name: 'equal weight', type: 'line', data: bench, showSymbol: false, lineStyle: { type: 'dashed' } }
      ]
    });
    weights.setOption({
      animation: false,
      tooltip: { trigger: 'axis' },
      legend: { type: 'scroll', data: symbols },
      grid: { left: 50, right: 20, top: 30, bottom: 30 },
      xAxis: { type: 'category', data: dates },
      yAxis: { type: 'value' },
      series: symbols.map(function (s, a) { return { name: s, type: 'line', stack: 'w', areaStyle: {}, showSymbol: false, lineStyle: { width: 0 }, step: 'end', data: weightRows.map(function (r) { return r[a]; }) }; })
    }, true);
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
    if (s.event === 'activation') row('events', [new Date().toISOString().slice(0, 19), 'activation', 'model ' + s.model]);
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
    row('events', [ev.date.slice(0, 10), ev.kind, details]);
  }
  function onAlert(a) {
    row('alerts', [(a.date || a.raised_at).slice(0, 19), a.rule, a.message], a.severity);
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
<div class="panel"><strong>Weights</strong><div class="chart" id="chart-weights"></div></div>
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
