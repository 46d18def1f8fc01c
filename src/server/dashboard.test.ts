/**
 * The dashboard as a person sees it, in headless Chromium: a live session on 30 assets with short
 * positions, alerts and online-learning events, laid out at a desktop width and at a phone's (390 px,
 * in an iframe: headless Chromium's window is never narrower than 500 px). The page is measured from
 * inside: legends clear of the date axis, every asset named, dates on one line, nothing wider than
 * the screen.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPageInChromium, findChromium } from '../backtest/report/chromium.js';
import type { LiveEvent } from '../live/types.js';
import { dashboardHtml } from './dashboard.js';

const SYMBOLS = ['AAPL', 'AXP', 'BA', 'CAT', 'CSCO', 'CVX', 'DIS', 'GE', 'GS', 'HD', 'IBM', 'INTC', 'JNJ', 'JPM', 'KO', 'MCD', 'MMM', 'MRK', 'MSFT', 'NKE', 'PEP', 'PFE', 'PG', 'T', 'TRV', 'UNH', 'UTX', 'VZ', 'WMT', 'XOM'];
const BARS = 300;

/** A session's history: decisions with long and short weights, then alerts and online-learning events. */
function sessionEvents(): LiveEvent[] {
  const events: LiveEvent[] = [];
  let value = 100_000;
  for (let t = 0; t < BARS; t++) {
    const date = new Date(Date.UTC(2016, 0, 4) + t * 86_400_000).toISOString().slice(0, 10);
    const weights = SYMBOLS.map((_, a) => 0.08 * Math.sin(t / 20 + a));
    value *= 1 + 0.001 * Math.sin(t / 7);
    events.push({ type: 'decision', seq: events.length + 1, data: { bar: t, date, regime: t % 4, stability: 0.9, champion: 0, value, benchmark: 100_000 + 20 * t, weights, symbols: SYMBOLS } });
  }
  for (let k = 0; k < 5; k++) {
    events.push({ type: 'alert', seq: events.length + 1, data: { id: k + 1, rule: 'feature_drift', severity: 'warning', message: `feature ATR_norm drifted from the training distribution (PSI 0.${259 + k} over 60 bars)`, date: `2016-0${k + 3}-30`, raised_at: '2026-01-02T10:00:00.000Z', value: 0.259, threshold: 0.25 } });
    events.push({ type: 'online', seq: events.length + 1, data: { kind: 'evaluation', bar: 100 + k, date: `2016-0${k + 3}-29`, payload: { first_bar: 3050, last_bar: 3110, champion: 2, champion_sharpe: -1.846, challenger_sharpe: -0.71 } } });
  }
  events.push({ type: 'status', seq: events.length + 1, data: { state: 'finished', champion: 0, updates: 21 } });
  return events;
}

/**
 * Runs inside each framed dashboard right after its own script has drawn (synchronously: headless
 * Chromium dumps the DOM once the frames have loaded), and reports to the wrapper page: elements
 * reaching past the viewport, legends (and the weights' colour scale) whose box meets the date axis
 * in ECharts' own scene graph, date cells that wrap, and the weights chart's category labels.
 */
const MEASURE = String.raw`
(function () {
  function box(el) {
    var rect = el.getBoundingRect().clone();
    var transform = el.getComputedTransform();
    if (transform) rect.applyTransform(transform);
    return rect;
  }
  var layout = { width: window.innerWidth, decisions: document.body.getAttribute('data-decisions'), overflow: [], legendsOnDateAxis: [], wrappedDates: 0, dateCells: 0, weightLabels: [], overlappingWeightLabels: 0 };
  document.querySelectorAll('body *').forEach(function (el) {
    var r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > window.innerWidth + 1) layout.overflow.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' ' + Math.round(r.right) + 'px');
  });
  if (document.documentElement.scrollWidth > window.innerWidth) layout.overflow.push('page ' + document.documentElement.scrollWidth + 'px');
  ['chart-equity', 'chart-weights'].forEach(function (id) {
    var chart = echarts.getInstanceByDom(document.getElementById(id));
    var model = chart.getModel();
    var axis = box(chart.getViewOfComponentModel(model.getComponent('xAxis')).group);
    ['legend', 'visualMap'].forEach(function (type) {
      model.eachComponent(type, function (component) {
        var legend = box(chart.getViewOfComponentModel(component).group);
        if (legend.width > 0 && legend.intersect(axis)) layout.legendsOnDateAxis.push(id + ' ' + type);
      });
    });
  });
  document.querySelectorAll('#alerts tr, #events tr').forEach(function (tr) {
    var range = document.createRange();
    range.selectNodeContents(tr.firstChild);
    var lines = {};
    Array.prototype.forEach.call(range.getClientRects(), function (r) { lines[Math.round(r.top)] = true; });
    layout.dateCells += 1;
    if (Object.keys(lines).length > 1) layout.wrappedDates += 1;
  });
  var weights = echarts.getInstanceByDom(document.getElementById('chart-weights'));
  var labels = [];
  ['xAxis', 'yAxis'].forEach(function (type) {
    weights.getViewOfComponentModel(weights.getModel().getComponent(type)).group.traverse(function (el) {
      if (el.type === 'text' && el.style && el.style.text && !el.ignore && !el.invisible) labels.push({ text: String(el.style.text), rect: box(el) });
    });
  });
  layout.weightLabels = labels.map(function (l) { return l.text; });
  labels.forEach(function (a, i) { labels.slice(i + 1).forEach(function (b) { if (a.rect.intersect(b.rect)) layout.overlappingWeightLabels += 1; }); });
  parent.report(new URLSearchParams(location.search).get('frame'), layout);
})();
`;

const WRAPPER = `<!DOCTYPE html><html><body data-render-status="pending" style="margin:0">
<script>
window.report = function (name, layout) {
  document.body.setAttribute('data-layout-' + name, encodeURIComponent(JSON.stringify(layout)));
  if (document.body.hasAttribute('data-layout-wide') && document.body.hasAttribute('data-layout-phone')) document.body.setAttribute('data-render-status', 'ok');
};
</script>
<iframe src="/?frame=phone" style="display:block;width:390px;height:900px;border:0"></iframe>
<iframe src="/?frame=wide" style="display:block;width:1260px;height:1000px;border:0"></iframe>
</body></html>`;

interface Layout {
  width: number;
  decisions: string;
  overflow: string[];
  legendsOnDateAxis: string[];
  wrappedDates: number;
  dateCells: number;
  weightLabels: string[];
  overlappingWeightLabels: number;
}

let server: Server;
let url: string;

beforeAll(async () => {
  const page = dashboardHtml(sessionEvents());
  const end = page.lastIndexOf('</body>');
  const measured = `${page.slice(0, end)}<script>${MEASURE}</script>${page.slice(end)}`;
  server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/') response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(measured);
    else if (path === '/check') response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(WRAPPER);
    else if (path === '/v1/models') response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ models: [{ id: 'model', algorithm: 'grpo', update: 4, active: true }] }));
    // The stream stays open with nothing new, as a finished session's does.
    else if (path === '/v1/stream') response.writeHead(200, { 'content-type': 'text/event-stream' }).write('retry: 2000\n\n');
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe.runIf(findChromium())('dashboard layout in headless Chromium (30 assets, shorts, alerts)', () => {
  it('keeps legends off the date axis, names every asset, keeps dates on one line and fits a phone', async () => {
    const check = await checkPageInChromium(`${url}/check`);
    expect(check.ok, `${check.renderStatus} ${check.consoleErrors.join(' | ')}`).toBe(true);
    for (const frame of ['wide', 'phone'] as const) {
      const layout = JSON.parse(decodeURIComponent(check.bodyAttributes[`data-layout-${frame}`]!)) as Layout;
      const where = `${frame} (${layout.width} px)`;
      expect(layout.width, where).toBe(frame === 'wide' ? 1260 : 390);
      // Soft: a broken layout reports every problem at once.
      expect.soft(layout.decisions, where).toBe(String(BARS));
      expect.soft(layout.legendsOnDateAxis, where).toEqual([]);
      // Every asset labelled in the weights chart, no label drawn over another.
      expect.soft(SYMBOLS.filter((symbol) => !layout.weightLabels.includes(symbol)), where).toEqual([]);
      expect.soft(layout.overlappingWeightLabels, where).toBe(0);
      expect.soft(layout.dateCells, where).toBe(10);
      expect.soft(layout.wrappedDates, where).toBe(0);
      expect.soft(layout.overflow, where).toEqual([]);
    }
  }, 120_000);
});
