/* Dashboard charts: options built from the JSON embedded by json_script (#st-data);
   a click on a bar, point or slice opens the drill-down of that number. */
(function () {
  "use strict";
  var PALETTE = ["#1f6feb", "#2da44e", "#bf8700", "#cf222e", "#8250df", "#0a7b83", "#6e7781"];

  /* Long names are cut with an ellipsis at a width that fits the chart (a phone gets
     less), the whole name in the tooltip; containLabel keeps every label inside. */
  function labelWidth(el) { return Math.max(70, Math.min(180, Math.round(el.clientWidth * 0.35))); }

  function bar(items, label, value, name, el) {
    return {
      color: PALETTE, tooltip: {trigger: "axis", confine: true},
      grid: {left: 8, right: 24, top: 10, bottom: 8, containLabel: true},
      xAxis: {type: "value", minInterval: 1},
      yAxis: {type: "category", inverse: true, triggerEvent: true,
              axisLabel: {width: labelWidth(el), overflow: "truncate", ellipsis: "…"},
              data: items.map(function (i) { return i[label]; })},
      series: [{name: name, type: "bar", data: items.map(function (i) {
        return {value: i[value], url: i.url};
      })}]
    };
  }

  function pie(items, name) {
    return {
      color: PALETTE, tooltip: {trigger: "item", formatter: "{b}：{c}（{d}%）", confine: true},
      legend: {bottom: 0, type: "scroll"},
      series: [{name: name, type: "pie", radius: ["35%", "65%"], data: items.map(function (i) {
        return {name: i.name, value: i.value, url: i.url};
      })}]
    };
  }

  var BUILD = {
    trend: function (d) {
      return {
        color: PALETTE, tooltip: {trigger: "axis", confine: true}, legend: {bottom: 0},
        grid: {left: 8, right: 8, top: 36, bottom: 32, containLabel: true},
        xAxis: {type: "category", data: d.map(function (t) { return t.bucket; }),
                axisLabel: {hideOverlap: true, rotate: d.length > 8 ? 45 : 0}},
        yAxis: [{type: "value", name: "评价量", minInterval: 1},
                {type: "value", name: "满意率%", min: 0, max: 100}],
        series: [
          {name: "有效评价", type: "bar", data: d.map(function (t) { return {value: t.ratings, url: t.url}; })},
          {name: "差评", type: "bar", itemStyle: {color: "#cf222e"}, data: d.map(function (t) { return {value: t.bad, url: t.bad_url}; })},
          {name: "满意率", type: "line", yAxisIndex: 1, data: d.map(function (t) { return t.satisfaction; })}
        ]
      };
    },
    levels: function (d) { return pie(d, "评价等级"); },
    channels: function (d) { return pie(d, "评价渠道"); },
    matters: function (d, el) { return bar(d, "name", "bad", "差评", el); },
    windows: function (d, el) { return bar(d, "name", "bad", "差评", el); },
    participation: function (d, el) {
      var option = bar(d, "name", "rate", "参评率%", el);
      option.xAxis.max = 100;
      return option;
    }
  };

  function draw(root) {
    var source = document.getElementById("st-data");
    if (!source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
      var old = echarts.getInstanceByDom(el);
      if (old) { old.dispose(); }
      var chart = echarts.init(el, null, {renderer: "canvas"});
      chart.setOption(BUILD[el.dataset.chart](data[el.dataset.chart] || [], el));
      chart.on("click", function (p) {
        if (p.data && p.data.url) { window.location.href = p.data.url; }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSwap", function () { draw(document); });
  window.addEventListener("resize", function () {
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var chart = echarts.getInstanceByDom(el);
      if (chart) { chart.resize(); }
    });
  });
}());
