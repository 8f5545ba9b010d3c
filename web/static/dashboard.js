/* The live dashboard: renders the snapshot embedded in the page, then every `dashboard` server-sent event.
   The server coalesces pushes (at most one per 250 ms per client); here a push only schedules one repaint
   per animation frame, so a burst never queues work. */
(function () {
  "use strict";
  var root = document.getElementById("dashboard");
  if (!root) { return; }
  var county = root.getAttribute("data-county") || "";
  var pending = null;
  var charts = {};
  var STATUS = { met: "已达成 met", on_track: "进行中 on track", at_risk: "有风险 at risk", missed: "未达成 missed" };

  function text(id, value) {
    var el = document.getElementById(id);
    if (el) { el.textContent = value; }
  }
  function minutes(seconds) {
    if (seconds === null || seconds === undefined) { return "–"; }
    return Math.round(seconds / 60) + " 分钟 min";
  }
  function cell(row, value) {
    var td = document.createElement("td");
    td.textContent = value;
    row.appendChild(td);
  }
  function chart(id) {
    if (!window.echarts) { return null; }
    if (!charts[id]) { charts[id] = window.echarts.init(document.getElementById(id)); }
    return charts[id];
  }
  function bars(id, names, data) {
    var c = chart(id);
    if (!c) { return; }
    c.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: ["等候 waiting", "空缺 open", "上岗 fills"] },
      grid: { left: 48, right: 16, bottom: 110, top: 40 },
      xAxis: { type: "category", data: names, axisLabel: { rotate: 30 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: "等候 waiting", type: "bar", data: data.map(function (d) { return d.workers_waiting; }) },
        { name: "空缺 open", type: "bar", data: data.map(function (d) { return d.open_positions; }) },
        { name: "上岗 fills", type: "bar", data: data.map(function (d) { return d.fills_today; }) }
      ]
    });
  }
  function render(s) {
    var city = s.city;
    text("city-workers_waiting", city.workers_waiting);
    text("city-open_positions", city.open_positions);
    text("city-offers_out", city.offers_out);
    text("city-fills_today", city.fills_today);
    text("city-median_match", minutes(city.median_match_seconds));
    text("dash-as-of", s.as_of);
    var alerts = document.getElementById("dash-alerts");
    alerts.textContent = "";
    s.alerts.forEach(function (a) {
      var li = document.createElement("li");
      li.textContent = a.message_zh + " / " + a.message_en;
      alerts.appendChild(li);
    });
    if (!s.alerts.length) {
      var none = document.createElement("li");
      none.className = "none";
      none.textContent = "暂无提醒 / no alerts";
      alerts.appendChild(none);
    }
    var body = document.getElementById("dash-markets");
    body.textContent = "";
    s.markets.forEach(function (m) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-market", m.market_id);
      cell(tr, m.county_zh || m.county); cell(tr, m.name_zh); cell(tr, m.workers_waiting); cell(tr, m.open_positions);
      cell(tr, m.offers_out); cell(tr, m.fills_today); cell(tr, minutes(m.median_match_seconds));
      body.appendChild(tr);
    });
    var quota = document.getElementById("dash-quota");
    quota.textContent = "";
    s.quota_board.forEach(function (e) {
      var tr = document.createElement("tr");
      cell(tr, e.rule_zh || e.rule); cell(tr, e.scope); cell(tr, e.period); cell(tr, e.held);
      cell(tr, e.pending); cell(tr, e.target); cell(tr, STATUS[e.status] || e.status);
      tr.className = "quota-" + e.status;
      quota.appendChild(tr);
    });
    var unpaid = document.getElementById("dash-unpaid");
    unpaid.textContent = "";
    s.counties.forEach(function (c) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-county", c.county);
      cell(tr, c.name_zh); cell(tr, c.unpaid_placements || 0); cell(tr, c.wage_disputes || 0);
      if (c.unpaid_placements || c.wage_disputes) { tr.className = "unpaid"; }
      unpaid.appendChild(tr);
    });
    // wage disputes (issue 23): a worker reported "没拿到工资" after the scheduled end
    var disputes = document.getElementById("dash-disputes");
    disputes.textContent = "";
    var marketName = {};
    s.markets.forEach(function (m) { marketName[m.market_id] = m.name_zh; });
    Object.keys(s.wage_disputes || {}).forEach(function (county) {
      s.wage_disputes[county].forEach(function (d) {
        var tr = document.createElement("tr");
        tr.className = "unpaid";
        var at = new Date(d.at).toLocaleTimeString("zh-CN", { timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit" });
        cell(tr, marketName[d.market_id] || d.market_id); cell(tr, d.employer_name); cell(tr, d.trade_zh || d.trade);
        cell(tr, d.day_wage + " 元/天"); cell(tr, d.start + "（" + d.hours + " 小时）"); cell(tr, d.worker_masked);
        cell(tr, at);
        disputes.appendChild(tr);
      });
    });
    if (!disputes.children.length) {
      var none = document.createElement("tr");
      cell(none, "暂无 / none");
      disputes.appendChild(none);
    }
    bars("chart-counties", s.counties.map(function (c) { return c.name_zh; }), s.counties);
    bars("chart-markets", s.markets.map(function (m) { return m.name_zh; }), s.markets);
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
    var source = new EventSource("/dashboard/events" + (county ? "?county=" + encodeURIComponent(county) : ""));
    source.addEventListener("open", function () { text("dash-status", "实时 live"); });
    source.addEventListener("error", function () { text("dash-status", "重新连接中 reconnecting"); });
    source.addEventListener("dashboard", function (ev) { schedule(JSON.parse(ev.data)); });
    window.addEventListener("resize", function () {
      Object.keys(charts).forEach(function (k) { charts[k].resize(); });
    });
  });
}());
