/*
 * Browser side of report.html and of the live dashboard: one renderer for both, so the live
 * page literally becomes the final report. Data arrives as window.__PICCO__ (embedded in
 * report.html) and, in live mode, as Server-Sent Events ('second' snapshots, then 'final').
 * Plain ES2020 run by Chromium, no build step; Chart.js (UMD) is inlined before this script.
 */
(function () {
  'use strict';
  var D = window.__PICCO__;
  var charts = {};
  var PALETTE = ['#2563eb', '#16a34a', '#dc2626', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777', '#4b5563', '#65a30d'];
  var STATUS_COLORS = { '2': '#16a34a', '3': '#0891b2', '4': '#ea580c', '5': '#dc2626', '0': '#4b5563' };
  var CODE_COLORS = { '409': '#f59e0b', '422': '#c2410c', '429': '#a16207', '500': '#dc2626', '502': '#be123c', '503': '#7f1d1d', '504': '#e11d48' };
  Chart.defaults.animation = false;
  Chart.defaults.font.size = 11;
  Chart.defaults.maintainAspectRatio = false;

  function $(id) { return document.getElementById(id); }
  function esc(s) { return String(s).replace(/[&<>"']/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]; }); }
  function fmtMs(v) { if (v == null) return 'n/a'; if (v >= 10000) return (v / 1000).toFixed(1) + ' s'; if (v >= 100) return Math.round(v) + ' ms'; if (v >= 10) return v.toFixed(1) + ' ms'; return v.toFixed(2) + ' ms'; }
  function fmtInt(v) { return v == null ? 'n/a' : Math.round(v).toLocaleString('en-US'); }
  function get(o, path) { for (var i = 0; i < path.length && o != null; i++) o = o[path[i]]; return o == null ? null : o; }

  function xMax() { return D.mode === 'live' && D.plan && D.plan.durationS ? D.plan.durationS : undefined; }
  function lineOpts(yTitle, stacked, logY) {
    return {
      parsing: false, normalized: true, interaction: { mode: 'index', intersect: false },
      plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } },
      scales: {
        x: { type: 'linear', min: 0, max: xMax(), title: { display: true, text: 'seconds since start' } },
        y: { type: logY ? 'logarithmic' : 'linear', beginAtZero: !logY, stacked: !!stacked, title: { display: true, text: yTitle } }
      }
    };
  }
  function ds(label, color, extra) {
    var d = { label: label, data: [], borderColor: color, backgroundColor: color, pointRadius: 0, borderWidth: 1.5, tension: 0.2 };
    for (var k in extra || {}) d[k] = extra[k];
    return d;
  }
  function points(fn) {
    var out = [];
    for (var i = 0; i < D.series.length; i++) { var s = D.series[i]; var y = fn(s); if (y != null && isFinite(y)) out.push({ x: s.t, y: y }); }
    return out;
  }

  function buildCharts() {
    // Arrivals (journeys or single requests, per the plan) on the left axis; HTTP requests on the
    // right, since one journey makes several requests. Achieved arrivals = intended − dropped.
    charts.rate = new Chart($('c-rate'), { type: 'line', data: { datasets: [
      ds('intended arrivals (plan)', '#6b7280', { borderDash: [6, 3], borderWidth: 2 }), ds('achieved arrivals', PALETTE[0], { borderWidth: 2 }),
      ds('dropped arrivals', PALETTE[3]), ds('requests ok', PALETTE[1], { yAxisID: 'y2', borderDash: [2, 2] }), ds('requests failed', PALETTE[2], { yAxisID: 'y2', borderDash: [2, 2] }) ] },
      options: (function () { var o = lineOpts('arrivals / s'); o.scales.y2 = { position: 'right', beginAtZero: true, title: { display: true, text: 'requests / s' }, grid: { drawOnChartArea: false } }; return o; })() });
    charts.latency = new Chart($('c-latency'), { type: 'line', data: { datasets: [
      ds('p50 from intended start', '#93c5fd'), ds('p95 from intended start', PALETTE[0]), ds('p99 from intended start', '#1e3a8a', { borderWidth: 2 }),
      ds('p50 service time', '#fdba74', { borderDash: [4, 3] }), ds('p99 service time', PALETTE[4], { borderDash: [4, 3] }) ] }, options: lineOpts('ms', false, true) });
    charts.status = new Chart($('c-status'), { type: 'bar', data: { datasets: [] }, options: (function () { var o = lineOpts('responses / s', true); o.scales.x.stacked = true; o.scales.x.offset = false; return o; })() });
    charts.endpoints = new Chart($('c-endpoints'), { type: 'bar', data: { labels: [], datasets: [ ds('ok', PALETTE[1]), ds('failed', PALETTE[2]) ] },
      options: { indexAxis: 'y', plugins: { legend: { position: 'bottom' } }, scales: { x: { stacked: true, title: { display: true, text: 'requests' } }, y: { stacked: true } } } });
    charts.inflight = new Chart($('c-inflight'), { type: 'line', data: { datasets: [ ds('in flight', PALETTE[5]), ds('scheduling lag p99 (ms)', PALETTE[6], { yAxisID: 'y2' }),
      ds('generator delay p99: lag + read delay (ms)', PALETTE[2], { yAxisID: 'y2', borderWidth: 2 }), ds('event-loop delay p99, busiest engine thread (ms)', PALETTE[4], { yAxisID: 'y2', borderDash: [4, 3] }) ] },
      options: (function () { var o = lineOpts('requests in flight'); o.scales.y2 = { position: 'right', beginAtZero: true, title: { display: true, text: 'generator ms' }, grid: { drawOnChartArea: false } }; return o; })() });
    var server = D.server || [];
    var host = $('server-charts');
    if (server.length > 0) $('server-section').hidden = false;
    server.forEach(function (panel, i) {
      var card = document.createElement('div'); card.className = 'card';
      card.innerHTML = '<h3>' + esc(panel.title) + '</h3><div class="chart"><canvas id="c-server-' + i + '"></canvas></div><p class="q"><code>' + esc(panel.query) + '</code></p>';
      host.appendChild(card);
      var datasets = panel.series.map(function (s, j) { var d = ds(s.label, PALETTE[j % PALETTE.length]); d.data = s.points.map(function (p) { return { x: p[0], y: p[1] }; }); return d; });
      charts['server' + i] = new Chart($('c-server-' + i), { type: 'line', data: { datasets: datasets }, options: lineOpts(panel.unit) });
    });
  }

  function update() {
    var c = charts.rate.data.datasets;
    c[0].data = points(function (s) { return s.intended; }); c[1].data = points(function (s) { return Math.max(0, s.intended - s.dropped); });
    c[2].data = points(function (s) { return s.dropped; }); c[3].data = points(function (s) { return s.ok; }); c[4].data = points(function (s) { return s.failed; });
    var l = charts.latency.data.datasets;
    var pos = function (v) { return v != null && v > 0 ? v : null; };
    l[0].data = points(function (s) { return pos(get(s, ['latencyMs', 'p50'])); }); l[1].data = points(function (s) { return pos(get(s, ['latencyMs', 'p95'])); });
    l[2].data = points(function (s) { return pos(get(s, ['latencyMs', 'p99'])); }); l[3].data = points(function (s) { return pos(get(s, ['serviceTimeMs', 'p50'])); });
    l[4].data = points(function (s) { return pos(get(s, ['serviceTimeMs', 'p99'])); });
    var codes = {};
    D.series.forEach(function (s) { for (var k in s.status || {}) codes[k] = true; });
    charts.status.data.datasets = Object.keys(codes).sort().map(function (code) {
      var d = ds(code, CODE_COLORS[code] || STATUS_COLORS[code.charAt(0)] || '#4b5563');
      d.data = points(function (s) { return (s.status || {})[code] || 0; }); d.borderWidth = 0; d.barPercentage = 1; d.categoryPercentage = 1;
      if (code.charAt(0) === '2') d.backgroundColor = '#bbf7d0';
      return d;
    });
    var eps = endpointTotals();
    var names = Object.keys(eps).sort(function (a, b) { return eps[b].failed - eps[a].failed || eps[b].count - eps[a].count; });
    charts.endpoints.data.labels = names;
    charts.endpoints.data.datasets[0].data = names.map(function (n) { return eps[n].ok; });
    charts.endpoints.data.datasets[1].data = names.map(function (n) { return eps[n].failed; });
    var f = charts.inflight.data.datasets;
    f[0].data = points(function (s) { return s.inFlight; }); f[1].data = points(function (s) { return s.lagMs; });
    f[2].data = points(function (s) { return get(s, ['generator', 'delayMs', 'p99']); });
    f[3].data = points(function (s) { var th = get(s, ['generator', 'threads']); return th ? th.reduce(function (m, t) { return Math.max(m, t.eventLoopDelayMs.p99); }, 0) : null; });
    for (var k in charts) charts[k].update('none');
    renderHeadline(); renderEndpointTable(eps); renderSlo();
    document.body.dataset.seconds = String(D.series.length);
  }

  function endpointTotals() {
    var out = {};
    if (D.summary && D.summary.endpoints && Object.keys(D.summary.endpoints).length > 0) {
      for (var n in D.summary.endpoints) { var e = D.summary.endpoints[n]; out[n] = { count: e.count, ok: e.ok, failed: e.failed, status: e.status || {}, latencyMs: e.latencyMs || {}, serviceTimeMs: e.serviceTimeMs || {} }; }
      return out;
    }
    D.series.forEach(function (s) {
      for (var n in s.endpoints || {}) {
        var e = s.endpoints[n]; var o = out[n] || (out[n] = { count: 0, ok: 0, failed: 0, status: {}, latencyMs: { p99: 0 }, serviceTimeMs: {} });
        o.count += e.count; o.ok += e.ok || 0; o.failed += e.failed || 0; if (e.p99 != null && e.p99 > o.latencyMs.p99) o.latencyMs.p99 = e.p99;
      }
    });
    return out;
  }

  function renderHeadline() {
    var s = D.summary; var h = $('headline');
    if (!s) {
      var last = D.series[D.series.length - 1]; var tot = { started: 0, failed: 0, dropped: 0 };
      D.series.forEach(function (x) { tot.started += x.started; tot.failed += x.failed; tot.dropped += x.dropped; });
      $('verdict').textContent = 'RUNNING'; $('verdict').className = 'verdict running';
      h.innerHTML = '<b>' + (last ? last.t + 1 : 0) + ' s</b>' + (D.plan && D.plan.durationS ? ' of ' + D.plan.durationS + ' s' : '') +
        ' · ' + fmtInt(tot.started) + ' requests · failed ' + fmtInt(tot.failed) + ' · dropped ' + fmtInt(tot.dropped) +
        (last ? ' · last second: ' + fmtInt(last.started) + '/' + fmtInt(last.intended) + ' req/s, p99 ' + fmtMs(get(last, ['latencyMs', 'p99'])) : '');
      return;
    }
    var v = !s.valid ? ['INVALID', 'invalid'] : s.pass ? ['PASS', 'pass'] : ['FAIL', 'fail'];
    $('verdict').textContent = v[0]; $('verdict').className = 'verdict ' + v[1];
    h.innerHTML = fmtInt(s.requests.total) + ' requests in ' + s.durationS + ' s · achieved <b>' + fmtInt(s.rate.achieved) + '/s</b> of ' + fmtInt(s.rate.target) +
      '/s intended · failed ' + fmtInt(s.requests.failed) + ' · dropped ' + fmtInt(s.requests.dropped) + '<br>latency from intended start p50 ' + fmtMs(s.latencyMs.p50) +
      ' · p95 ' + fmtMs(s.latencyMs.p95) + ' · p99 <b>' + fmtMs(s.latencyMs.p99) + '</b> · max ' + fmtMs(s.latencyMs.max) + ' — service time p99 ' + fmtMs(s.serviceTimeMs.p99);
  }

  function renderEndpointTable(eps) {
    var rows = Object.keys(eps).sort().map(function (n) {
      var e = eps[n]; var st = Object.keys(e.status).sort().map(function (c) { return c + '×' + fmtInt(e.status[c]); }).join(' ');
      return '<tr><td><code>' + esc(n) + '</code></td><td>' + fmtInt(e.count) + '</td><td>' + fmtInt(e.failed) + '</td><td>' + fmtMs(e.latencyMs.p50) + '</td><td>' + fmtMs(e.latencyMs.p95) +
        '</td><td>' + fmtMs(e.latencyMs.p99) + '</td><td>' + fmtMs(e.serviceTimeMs.p99) + '</td><td class="st">' + esc(st) + '</td></tr>';
    });
    $('endpoints-table').innerHTML = '<tr><th>endpoint</th><th>requests</th><th>failed</th><th>p50</th><th>p95</th><th>p99</th><th>service p99</th><th>statuses</th></tr>' + rows.join('');
  }

  function renderSlo() {
    var s = D.summary; var el = $('slo-table');
    if (!s) { el.innerHTML = '<tr><td>SLO verdicts appear when the run ends.</td></tr>'; return; }
    if (!s.slo || s.slo.length === 0) { el.innerHTML = '<tr><td>No SLO was evaluated for this run (pass --slo FILE).</td></tr>'; return; }
    el.innerHTML = '<tr><th>SLO</th><th>threshold</th><th>value</th><th>verdict</th></tr>' + s.slo.map(function (o) {
      return '<tr class="' + (o.pass ? 'ok' : 'bad') + '"><td>' + esc(o.name) + '</td><td><code>' + esc(o.threshold) + '</code></td><td>' + esc(o.display || (o.value == null ? 'n/a' : o.value)) + '</td><td>' + (o.pass ? 'pass' : 'FAIL') + '</td></tr>';
    }).join('');
  }

  buildCharts();
  update();
  if (D.mode === 'live' && !D.summary && window.EventSource) {
    var es = new EventSource('events?from=' + D.series.length);
    es.addEventListener('second', function (e) { D.series.push(JSON.parse(e.data)); update(); });
    es.addEventListener('final', function (e) {
      var f = JSON.parse(e.data); D.summary = f.summary; if (f.series) D.series = f.series; D.mode = 'report';
      for (var k in charts) { if (charts[k].options.scales && charts[k].options.scales.x && charts[k].options.scales.x.type === 'linear') charts[k].options.scales.x.max = undefined; }
      update(); es.close(); document.body.dataset.final = 'true'; document.title = document.title.replace('live', 'final');
    });
  }
  document.body.dataset.ready = 'true';
})();
