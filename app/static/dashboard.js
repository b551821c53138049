// Dashboard charts: data from the page's JSON block (amounts in cents), drawn with the vendored
// Chart.js. No inline script: the CSP will forbid it. The tables beside the charts carry the
// same figures for screen readers and for people without JavaScript.
(function () {
  function draw() {
    var block = document.getElementById("dashboard-data");
    if (!block || typeof window.Chart === "undefined") {
      return;
    }
    var data = JSON.parse(block.textContent);
    var money = new Intl.NumberFormat(data.locale === "en" ? "en-GB" : "fr-FR", {
      style: "currency",
      currency: data.currency,
    });
    var colours = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#dc3545"];
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var chart = data[canvas.getAttribute("data-chart")];
      if (!chart) {
        return;
      }
      new window.Chart(canvas, {
        type: "bar",
        data: {
          labels: chart.labels,
          datasets: chart.series.map(function (series, index) {
            return {
              label: series.label,
              data: series.values.map(function (cents) { return cents / 100; }),
              backgroundColor: colours[index % colours.length],
            };
          }),
        },
        options: {
          maintainAspectRatio: false,
          animation: false,
          plugins: {
            legend: { display: false },
            tooltip: {
              callbacks: {
                label: function (context) { return money.format(context.parsed.y); },
              },
            },
          },
          scales: {
            y: { beginAtZero: true, ticks: { callback: function (value) { return money.format(value); } } },
          },
        },
      });
      canvas.setAttribute("data-drawn", "true");
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
