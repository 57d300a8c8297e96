// 罚款裁量一致性报告: box plot of the fine positions of each item/tier group with
// enough cases, from #report-data (the table below carries the same figures).
(function () {
  "use strict";
  if (typeof window.echarts === "undefined") return;
  var source = document.getElementById("report-data");
  var el = document.getElementById("chart-items");
  if (!source || !el) return;
  var groups = JSON.parse(source.textContent).filter(function (g) { return g.enough; });
  function q(values, p) {
    var pos = (values.length - 1) * p, lo = Math.floor(pos), hi = Math.ceil(pos);
    return values[lo] + (values[hi] - values[lo]) * (pos - lo);
  }
  var names = groups.map(function (g) { return g.item_code + " " + g.tier_level + "（" + g.n + "件）"; });
  var boxes = groups.map(function (g) {
    var v = g.positions;
    return [v[0], q(v, 0.25), q(v, 0.5), q(v, 0.75), v[v.length - 1]];
  });
  var chart = window.echarts.init(el, null, { renderer: "canvas" });
  chart.setOption({
    tooltip: { trigger: "item" },
    grid: { left: 40, right: 16, top: 16, bottom: 64, containLabel: true },
    xAxis: { type: "category", data: names, axisLabel: { interval: 0, rotate: 30, fontSize: 10 } },
    yAxis: { type: "value", name: "幅度位置 %", min: 0, max: 100 },
    series: [{ name: "罚款位置", type: "boxplot", data: boxes }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
