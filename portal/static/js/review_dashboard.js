// 监督统计: draws the dashboard charts with ECharts from the JSON in
// #dashboard-data. The tables on the page carry the same numbers, so nothing is
// lost when this script or ECharts does not load.
(function () {
  "use strict";
  if (typeof window.echarts === "undefined") return;
  var source = document.getElementById("dashboard-data");
  if (!source) return;
  var data = JSON.parse(source.textContent);
  var charts = [];

  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el) return;
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    charts.push(chart);
  }

  var grid = { left: 40, right: 16, top: 32, bottom: 56, containLabel: true };
  var rotated = { interval: 0, rotate: 30, fontSize: 10 };

  draw("chart-agencies", {
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: grid,
    xAxis: { type: "category", data: data.agencies.names, axisLabel: rotated },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: "案卷", type: "bar", data: data.agencies.cases },
      { name: "已检查", type: "bar", data: data.agencies.checked },
      { name: "有发现", type: "bar", data: data.agencies.flagged }
    ]
  });
  draw("chart-codes", {
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: grid,
    xAxis: { type: "category", data: data.codes.names, axisLabel: rotated },
    yAxis: [
      { type: "value", name: "发现", minInterval: 1 },
      { type: "value", name: "驳回率%", min: 0, max: 100 }
    ],
    series: [
      { name: "发现", type: "bar", data: data.codes.findings },
      { name: "驳回率%", type: "line", yAxisIndex: 1, data: data.codes.dismissal, connectNulls: false }
    ]
  });
  draw("chart-positions", {
    tooltip: { trigger: "axis" },
    grid: grid,
    xAxis: { type: "category", data: data.positions.names, axisLabel: rotated },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ name: "案卷", type: "bar", data: data.positions.values }]
  });
  draw("chart-grades", {
    tooltip: { trigger: "item" },
    legend: { top: 0 },
    series: [{ name: "评查等次", type: "pie", stillShowZeroSum: false, radius: ["35%", "65%"], top: 24, data: data.grades }]
  });

  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
})();
