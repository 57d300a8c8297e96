// 同类案件罚款比对: draws the peer group of a case with ECharts from the JSON in
// #peer-chart-data (the table below the chart carries the same data).
(function () {
  "use strict";
  if (typeof window.echarts === "undefined") return;
  var source = document.getElementById("peer-chart-data");
  var el = document.getElementById("peer-chart");
  if (!source || !el) return;
  var data = JSON.parse(source.textContent);
  var peers = [], self = [];
  data.points.forEach(function (p, i) {
    // Spread the points vertically so equal positions stay visible.
    var point = { value: [p.position, p.self ? 0 : ((i * 37) % 9) - 4], info: p };
    (p.self ? self : peers).push(point);
  });
  function tip(params) {
    var p = params.data.info;
    var lines = [p.self ? "本案" : p.label];
    if (p.agency) lines.push(p.agency);
    if (p.date) lines.push("决定日期 " + p.date);
    if (p.fine !== null && p.fine !== undefined) lines.push("罚款 " + p.fine.toLocaleString("zh-CN") + " 元");
    lines.push("幅度位置 " + p.position + "%");
    return lines.join("<br>");
  }
  var marks = {};
  if (data.enough && data.median !== null) {
    marks = {
      // The band's name inside its foot, the median's above the plot: on a
      // phone the two would otherwise meet when the median is near the band's
      // lower end.
      markArea: { silent: true, itemStyle: { color: "rgba(25,135,84,0.12)" },
        label: { position: "insideBottom", color: "#146c43" },
        data: [[{ name: "一致区间", xAxis: data.lower }, { xAxis: data.upper }]] },
      markLine: { silent: true, symbol: "none", lineStyle: { color: "#198754" },
        label: { position: "end", distance: 6, formatter: "中位数 {c}%" },
        data: [{ xAxis: data.median }] }
    };
  }
  // SVG: crisp text, and the labels are elements (a browser test checks that
  // the median label and the legend do not overlap at 1280 px).
  var chart = window.echarts.init(el, null, { renderer: "svg" });
  chart.setOption({
    tooltip: { trigger: "item", formatter: tip },
    // The legend sits in its own band at the top right; the plot starts below
    // it, so the median line's label (above the line's top end) never meets it.
    legend: { top: 0, right: 8, data: ["同类案件", "本案"] },
    grid: { left: 24, right: 24, top: 60, bottom: 36, containLabel: true },
    xAxis: { type: "value", name: "幅度位置 %", nameLocation: "middle", nameGap: 24,
      min: function (v) { return Math.min(0, Math.floor(v.min / 10) * 10); },
      max: function (v) { return Math.max(100, Math.ceil(v.max / 10) * 10); } },
    yAxis: { type: "value", show: false, min: -6, max: 6 },
    series: [
      Object.assign({ name: "同类案件", type: "scatter", symbolSize: 10,
        itemStyle: { color: "#6c757d" }, data: peers }, marks),
      { name: "本案", type: "scatter", symbolSize: 18, symbol: "diamond",
        itemStyle: { color: "#dc3545" }, data: self, z: 10 }
    ]
  });
  chart.on("click", function (params) {
    var p = params.data && params.data.info;
    if (p && p.url) window.location.href = p.url;
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
