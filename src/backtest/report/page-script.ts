/**
 * The report page's own script (plain browser JavaScript, run after ECharts is loaded). It reads the
 * payload from `#report-data`, renders tables and charts, and records on <body> whether rendering
 * finished (`data-render-status`) and how many errors the page saw (`data-errors`), so a headless
 * browser can check the page.
 */
export const PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var body = document.body;
  var errors = 0;
  window.addEventListener('error', function () { errors += 1; body.setAttribute('data-errors', String(errors)); });
  var payload = JSON.parse(document.getElementById('report-data').textContent);
  var only = body.getAttribute('data-only-chart');
  var animation = !only;
  var palette = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

  function number(value, digits) {
    if (value === null || value === undefined) return 'n/a';
    if (value === 'Infinity') return '∞';
    if (value === '-Infinity') return '−∞';
    if (typeof value !== 'number') return String(value);
    return value.toFixed(digits === undefined ? 4 : digits);
  }
  function percent(value) {
    return typeof value === 'number' ? (value * 100).toFixed(2) + '%' : number(value);
  }
  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function table(container, header, rows) {
    var t = element('table');
    var head = element('tr');
    header.forEach(function (h) { head.appendChild(element('th', {}, h)); });
    t.appendChild(head);
    rows.forEach(function (row) {
      var tr = element('tr');
      row.forEach(function (cell, i) { tr.appendChild(element(i === 0 ? 'th' : 'td', {}, cell)); });
      t.appendChild(tr);
    });
    container.appendChild(t);
  }
  function chart(id) {
    var node = document.getElementById(id);
    if (!node) return null;
    var instance = echarts.init(node, null, { renderer: 'canvas' });
    window.addEventListener('resize', function () { instance.resize(); });
    return instance;
  }
  var base = { animation: animation, color: palette, grid: { left: 70, right: 30, top: 40, bottom: only ? 40 : 70 }, tooltip: { trigger: 'axis' } };
  function zoom() { return only ? [] : [{ type: 'inside' }, { type: 'slider', height: 18, bottom: 10 }]; }
  function merge(a, b) { var out = {}; Object.keys(a).forEach(function (k) { out[k] = a[k]; }); Object.keys(b).forEach(function (k) { out[k] = b[k]; }); return out; }

  function renderEquity() {
    var c = chart('chart-equity');
    if (!c) return;
    c.setOption(merge(base, {
      title: { text: 'Portfolio value', left: 'center', textStyle: { fontSize: 14 } },
      legend: { top: 26, type: 'scroll' },
      grid: merge(base.grid, { top: 62 }),
      xAxis: { type: 'category', data: payload.dates, boundaryGap: false },
      yAxis: { type: 'value', scale: true },
      dataZoom: zoom(),
      series: payload.series.map(function (s) { return { name: s.name, type: 'line', data: s.value, showSymbol: false, lineStyle: { width: 1.4 } }; })
    }));
  }
  function renderDrawdown() {
    var c = chart('chart-drawdown');
    if (!c) return;
    c.setOption(merge(base, {
      title: { text: 'Drawdown from running peak', left: 'center', textStyle: { fontSize: 14 } },
      legend: { top: 26, type: 'scroll' },
      grid: merge(base.grid, { top: 62 }),
      xAxis: { type: 'category', data: payload.dates, boundaryGap: false },
      yAxis: { type: 'value', axisLabel: { formatter: function (v) { return (v * 100).toFixed(0) + '%'; } } },
      dataZoom: zoom(),
      series: payload.series.map(function (s) { return { name: s.name, type: 'line', data: s.drawdown, showSymbol: false, lineStyle: { width: 1 }, areaStyle: { opacity: 0.08 } }; })
    }));
  }
  // A stacked area per symbol over dates: rows[t][a] (the weights chart and the attention chart).
  function stackedAreas(title, dates, symbols, rows, yMax, step) {
    return merge(base, {
      title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
      legend: { top: 26, type: 'scroll' },
      grid: merge(base.grid, { top: 62 }),
      tooltip: { trigger: 'axis', confine: true },
      xAxis: { type: 'category', data: dates, boundaryGap: false },
      yAxis: { type: 'value', max: yMax },
      dataZoom: zoom(),
      series: symbols.map(function (symbol, a) {
        return { name: symbol, type: 'line', stack: 'areas', data: rows.map(function (row) { return row[a]; }), showSymbol: false, lineStyle: { width: 0 }, areaStyle: {}, step: step };
      })
    });
  }

  var weightsChart = null;
  function renderWeights(index) {
    if (!weightsChart) weightsChart = chart('chart-weights');
    if (!weightsChart) return;
    var s = payload.series[index];
    var w = s.weights;
    weightsChart.setOption(stackedAreas('Weights over time: ' + s.name, w.dates, w.symbols, w.rows, function (extent) { return Math.max(1, Math.ceil(extent.max * 20) / 20); }, 'end'), true);
  }
  function renderReturns() {
    var c = chart('chart-returns');
    if (!c) return;
    // Bins span the 0.5%..99.5% quantiles of all returns; the tails are counted in the edge bins.
    var all = [];
    payload.series.forEach(function (s) { s.returns.forEach(function (r) { if (r !== null && isFinite(r)) all.push(r); }); });
    all.sort(function (a, b) { return a - b; });
    var low = all.length ? all[Math.floor(0.005 * (all.length - 1))] : 0;
    var high = all.length ? all[Math.ceil(0.995 * (all.length - 1))] : 0;
    var bins = 50;
    if (!(high > low)) { high = low + 1e-9; }
    var width = (high - low) / bins;
    var centers = [];
    for (var b = 0; b < bins; b++) centers.push(((low + (b + 0.5) * width) * 100).toFixed(2) + '%');
    c.setOption(merge(base, {
      title: { text: 'Distribution of daily returns', left: 'center', textStyle: { fontSize: 14 } },
      legend: { top: 26, type: 'scroll' },
      grid: merge(base.grid, { top: 62 }),
      xAxis: { type: 'category', data: centers },
      yAxis: { type: 'value', name: 'days' },
      series: payload.series.map(function (s) {
        var counts = new Array(bins).fill(0);
        s.returns.forEach(function (r) { if (r !== null && isFinite(r)) counts[Math.max(0, Math.min(bins - 1, Math.floor((r - low) / width)))] += 1; });
        return { name: s.name, type: 'bar', data: counts, barGap: '-100%', itemStyle: { opacity: 0.45 } };
      })
    }));
  }

  function renderTables() {
    var metrics = document.getElementById('table-metrics');
    if (metrics) {
      var columns = [
        ['total_return', 'total return', percent], ['annual_return', 'annual return', percent], ['volatility', 'volatility', percent],
        ['sharpe_ratio', 'Sharpe', number], ['sortino_ratio', 'Sortino', number], ['calmar_ratio', 'Calmar', number],
        ['max_drawdown', 'max drawdown', percent], ['win_rate', 'win rate (days)', percent], ['total_turnover', 'turnover', function (v) { return number(v, 1); }],
        ['total_cost', 'costs', function (v) { return number(v, 0); }], ['round_trips', 'round trips', function (v) { return number(v, 0); }],
        ['trade_win_rate', 'win rate (trips)', percent], ['trade_profit_factor', 'profit factor (trips)', number], ['average_holding_period', 'avg holding (bars)', function (v) { return number(v, 1); }]
      ];
      table(metrics, ['series'].concat(columns.map(function (c) { return c[1]; })), payload.series.map(function (s) {
        return [s.name].concat(columns.map(function (c) { return c[2](s.metrics[c[0]]); }));
      }));
    }
    var tests = document.getElementById('table-tests');
    if (tests) {
      if (payload.tests.length === 0) tests.appendChild(element('p', {}, 'No paired tests were recorded (a single series).'));
      else table(tests, ['strategy', 'baseline', 'days', 'mean diff', 't', 'p (t)', 'Wilcoxon W', 'p (W)', "Cohen's d", 'Sharpe diff', '95% CI', 'significant (t / W)'], payload.tests.map(function (t) {
        return [t.strategy, t.baseline, String(t.periods), number(t.mean_difference, 6), number(t.paired_t.statistic, 3), number(t.paired_t.p_value, 4), number(t.wilcoxon.statistic, 0), number(t.wilcoxon.p_value, 4),
          number(t.cohens_d, 4), number(t.sharpe_difference.estimate, 3), '[' + number(t.sharpe_difference.lower, 3) + ', ' + number(t.sharpe_difference.upper, 3) + ']',
          (t.is_significant.paired_t ? 'yes' : 'no') + ' / ' + (t.is_significant.wilcoxon ? 'yes' : 'no')];
      }));
    }
    var windows = document.getElementById('table-windows');
    if (windows && payload.windows.length > 0) {
      table(windows, ['window', 'trained on', 'traded (out-of-sample)'], payload.windows.map(function (w) {
        return [String(w.index), w.train_first + ' .. ' + w.train_last, w.test_first + ' .. ' + w.test_last];
      }));
    } else if (windows) {
      windows.parentNode.removeChild(windows.previousElementSibling);
      windows.parentNode.removeChild(windows);
    }
    var deflated = document.getElementById('table-deflated');
    if (deflated && payload.deflatedSharpe.length > 0) {
      table(deflated, ['series', 'trials', 'variance of Sharpe (per day)', 'expected max Sharpe (per day)', 'deflated Sharpe ratio'], payload.deflatedSharpe.map(function (d) {
        return [d.strategy, String(d.trials), number(d.sharpe_variance, 8), number(d.expected_max_sharpe, 5), number(d.deflated_sharpe, 4)];
      }));
    }
  }

  function renderImportance() {
    var e = payload.explanations;
    var section = document.getElementById('section-importance');
    if (!e) {
      if (section) section.parentNode.removeChild(section);
      return;
    }
    var c = chart('chart-importance');
    if (c) c.setOption(stackedAreas('Share of the feature attention per asset: ' + e.series, e.dates, e.symbols, e.asset_importance, 1, false), true);
    var container = document.getElementById('table-importance');
    if (container) {
      table(container, ['asset'].concat(e.features), e.symbols.map(function (symbol, a) {
        return [symbol].concat(e.mean_feature_importance[a].map(function (v) { return number(v, 4); }));
      }));
      var bars = e.mean_temporal.map(function (v, t) { return 't-' + (e.lookback - 1 - t) + ': ' + number(v, 3); });
      container.appendChild(element('p', { 'class': 'meta' }, 'Attention over the window (oldest bar first, t-0 is the decision bar): ' + bars.join(', ')));
    }
  }

  function renderRegimes() {
    var o = payload.online;
    var section = document.getElementById('section-online');
    if (!o) {
      if (section) section.parentNode.removeChild(section);
      return;
    }
    var c = chart('chart-regimes');
    if (c) {
      c.setOption({
        animation: false,
        title: { text: 'Regime, stability and the trading model', left: 'center', textStyle: { fontSize: 13 } },
        tooltip: { trigger: 'axis' },
        legend: { top: 24 },
        grid: { left: 60, right: 60, top: 60, bottom: only ? 30 : 60 },
        xAxis: { type: 'category', data: o.regimes.dates },
        yAxis: [{ type: 'value', name: 'regime / model', minInterval: 1 }, { type: 'value', name: 'stability', min: 0, max: 1 }],
        dataZoom: zoom(),
        series: [
          { name: 'regime', type: 'line', step: 'end', data: o.regimes.labels, showSymbol: false },
          { name: 'model version', type: 'line', step: 'end', data: o.regimes.champion, showSymbol: false, lineStyle: { type: 'dashed' } },
          { name: 'stability', type: 'line', yAxisIndex: 1, data: o.regimes.stability, showSymbol: false, lineStyle: { width: 1, opacity: 0.6 } }
        ]
      }, true);
    }
    var container = document.getElementById('table-events');
    if (container) {
      if (o.events.length === 0) container.appendChild(element('p', { 'class': 'meta' }, 'No events.'));
      else table(container, ['date', 'event', 'details'], o.events.map(function (e) {
        var details = Object.keys(e.payload).map(function (k) { var v = e.payload[k]; return k + ' ' + (typeof v === 'number' ? number(v, 3) : String(v)); }).join(', ');
        return [e.date || String(e.bar), e.kind, details];
      }));
    }
  }

  var renderers = { equity: renderEquity, drawdown: renderDrawdown, weights: function () { renderWeights(0); }, returns: renderReturns, importance: renderImportance, regimes: renderRegimes };
  if (only) {
    renderers[only]();
  } else {
    renderTables();
    renderEquity();
    renderDrawdown();
    renderReturns();
    renderImportance();
    renderRegimes();
    var select = document.getElementById('weights-series');
    payload.series.forEach(function (s, i) { select.appendChild(element('option', { value: String(i) }, s.name)); });
    select.addEventListener('change', function () { renderWeights(Number(select.value)); });
    renderWeights(0);
  }
  body.setAttribute('data-errors', String(errors));
  body.setAttribute('data-render-status', 'ok');
})();
`;
