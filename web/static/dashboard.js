/* The live dashboard and its wall display: renders the snapshot embedded in the page, then every `dashboard`
   server-sent event. The server coalesces pushes (at most one per 250 ms per client); here a push only
   schedules one repaint per animation frame, so a burst never queues work. Words come from the page's
   messages (one language, the page's); times are Asia/Shanghai. */
(function () {
  "use strict";
  var root = document.getElementById("dashboard");
  if (!root) { return; }
  var M = JSON.parse(document.getElementById("messages").textContent);
  var en = M.lang === "en";
  var wall = document.body.classList.contains("wall");
  var county = root.getAttribute("data-county") || "";
  var pending = null;
  var charts = {};

  function text(id, value) {
    var el = document.getElementById(id);
    if (el) { el.textContent = value; }
  }
  function byId(id) { return document.getElementById(id); }
  function minutes(seconds) {
    if (seconds === null || seconds === undefined) { return "–"; }
    return Math.round(seconds / 60) + " " + M.minutes;
  }
  function localTime(iso) {
    return new Date(iso).toLocaleTimeString("zh-CN", {
      timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", hour12: false
    });
  }
  function cell(row, value, header) {
    var td = document.createElement(header ? "th" : "td");
    if (header) { td.setAttribute("scope", "row"); }
    td.textContent = value;
    row.appendChild(td);
  }
  function chart(id) {
    if (!window.echarts || !byId(id)) { return null; }
    if (!charts[id]) { charts[id] = window.echarts.init(byId(id)); }
    return charts[id];
  }
  function big() { return wall ? 28 : 14; }
  function series(kind, names, columns) {
    return names.map(function (name, i) { return { name: name, type: kind, data: columns[i] }; });
  }
  function draw(id, labels, names, columns, kind, rotate) {
    var c = chart(id);
    if (!c) { return; }
    c.setOption({
      animation: false,
      textStyle: { fontSize: big() },
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: names, textStyle: { fontSize: big() } },
      grid: { left: wall ? 80 : 48, right: 16, bottom: rotate ? 110 : 40, top: wall ? 60 : 40 },
      xAxis: { type: "category", data: labels, axisLabel: { rotate: rotate ? 30 : 0, fontSize: big(), interval: kind === "bar" ? 0 : "auto" } },
      yAxis: { type: "value", minInterval: 1, axisLabel: { fontSize: big() } },
      series: series(kind, names, columns)
    });
  }
  function bars(id, names, data) {
    draw(id, names, [M.waiting, M.open, M.fills], [
      data.map(function (d) { return d.workers_waiting; }),
      data.map(function (d) { return d.open_positions; }),
      data.map(function (d) { return d.fills_today; })
    ], "bar", !wall);
  }
  function today(h) {
    draw("chart-today", h.labels, [M.checkins, M.positions, M.placements],
      [h.checkins, h.positions, h.placements], "line", false);
  }
  function trends() {
    var raw = root.getAttribute("data-trends");
    if (!raw) { return; }
    var t = JSON.parse(raw);
    var names = [M.checkins, M.positions, M.placements];
    today(t.today);
    draw("chart-days", t.period.labels, names, [t.period.checkins, t.period.positions, t.period.placements], "line", true);
  }
  function say(a) { return en ? a.message_en : a.message_zh; }
  function render(s) {
    var city = s.city;
    text("city-workers_waiting", city.workers_waiting);
    text("city-open_positions", city.open_positions);
    text("city-offers_out", city.offers_out);
    text("city-fills_today", city.fills_today);
    text("city-median_match", minutes(city.median_match_seconds));
    text("dash-as-of", localTime(s.as_of));
    var alerts = byId("dash-alerts");
    var max = parseInt(alerts.getAttribute("data-max") || "0", 10) || s.alerts.length;
    alerts.textContent = "";
    s.alerts.slice(0, max).forEach(function (a) {
      var li = document.createElement("li");
      li.textContent = say(a);
      alerts.appendChild(li);
    });
    if (!s.alerts.length) {
      var none = document.createElement("li");
      none.className = "none";
      none.textContent = M.no_alerts;
      alerts.appendChild(none);
    }
    var body = byId("dash-markets");
    if (body) {
      body.textContent = "";
      s.markets.forEach(function (m) {
        var tr = document.createElement("tr");
        tr.setAttribute("data-market", m.market_id);
        cell(tr, en ? (m.county_en || m.county_zh) : m.county_zh); cell(tr, en ? m.name_en : m.name_zh);
        cell(tr, m.workers_waiting); cell(tr, m.open_positions);
        cell(tr, m.offers_out); cell(tr, m.fills_today); cell(tr, minutes(m.median_match_seconds));
        body.appendChild(tr);
      });
    }
    var quota = byId("dash-quota");
    if (quota) {
      quota.textContent = "";
      s.quota_board.forEach(function (e) {
        var tr = document.createElement("tr");
        cell(tr, en ? (e.rule_en || e.rule) : (e.rule_zh || e.rule));
        cell(tr, en ? e.scope_en : e.scope_zh); cell(tr, en ? e.period_en : e.period_zh);
        cell(tr, e.held); cell(tr, e.pending); cell(tr, e.target);
        cell(tr, M[e.status] || e.status);
        tr.className = "quota-" + e.status;
        quota.appendChild(tr);
      });
      if (!quota.children.length) {
        var nothing = document.createElement("tr");
        cell(nothing, M.none);
        quota.appendChild(nothing);
      }
    }
    var unpaid = byId("dash-unpaid");
    if (unpaid) {
      unpaid.textContent = "";
      s.counties.forEach(function (c) {
        var tr = document.createElement("tr");
        tr.setAttribute("data-county", c.county);
        cell(tr, en ? c.name_en : c.name_zh, true); cell(tr, c.unpaid_placements || 0); cell(tr, c.wage_disputes || 0);
        if (c.unpaid_placements || c.wage_disputes) { tr.className = "unpaid"; }
        unpaid.appendChild(tr);
      });
    }
    // wage disputes (issue 23): a worker reported "没拿到工资" after the scheduled end
    var disputes = byId("dash-disputes");
    if (disputes) {
      disputes.textContent = "";
      var marketName = {};
      s.markets.forEach(function (m) { marketName[m.market_id] = en ? m.name_en : m.name_zh; });
      Object.keys(s.wage_disputes || {}).forEach(function (c) {
        s.wage_disputes[c].forEach(function (d) {
          var tr = document.createElement("tr");
          tr.className = "unpaid";
          cell(tr, marketName[d.market_id] || d.market_id); cell(tr, d.employer_name); cell(tr, d.trade_zh || d.trade);
          cell(tr, d.day_wage + " " + M.yuan_per_day); cell(tr, d.start + "（" + d.hours + " " + M.hours + "）");
          cell(tr, d.worker_masked); cell(tr, localTime(d.at));
          disputes.appendChild(tr);
        });
      });
      if (!disputes.children.length) {
        var empty = document.createElement("tr");
        cell(empty, M.none);
        disputes.appendChild(empty);
      }
    }
    if (s.today_by_hour) { today(s.today_by_hour); }  // today by hour, live (each pushed snapshot carries it)
    bars("chart-counties", s.counties.map(function (c) { return en ? c.name_en : c.name_zh; }), s.counties);
    bars("chart-markets", s.markets.map(function (m) { return en ? m.name_en : m.name_zh; }), s.markets);
  }
  function schedule(s) {
    var first = pending === null;
    pending = s;
    if (first) {
      window.requestAnimationFrame(function () { var s2 = pending; pending = null; render(s2); });
    }
  }
  window.addEventListener("load", function () {
    render(JSON.parse(root.getAttribute("data-initial")));
    trends();
    var source = new EventSource("/dashboard/events" + (county ? "?county=" + encodeURIComponent(county) : ""));
    source.addEventListener("open", function () { text("dash-status", M.live); });
    source.addEventListener("error", function () { text("dash-status", M.reconnecting); });
    source.addEventListener("dashboard", function (ev) { schedule(JSON.parse(ev.data)); });
    window.addEventListener("resize", function () {
      Object.keys(charts).forEach(function (k) { charts[k].resize(); });
    });
  });
}());
