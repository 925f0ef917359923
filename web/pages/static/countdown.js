// Live countdowns: every element with data-due (epoch ms) says its time left, in the words the
// server used (web/pages/formats.py). data-windows (working intervals [start, end] in epoch ms,
// from the server's working calendar) counts working time instead of clock time.
(function () {
  function plural(n, unit) { return n + " " + unit + (n === 1 ? "" : "s"); }
  function duration(seconds, working) {
    var s = Math.floor(Math.abs(seconds));
    var minutes = Math.floor(s / 60) % 60, hours = Math.floor(s / 3600), days = Math.floor(s / 86400);
    if (!working && days >= 2) { var rest = hours - days * 24; return plural(days, "day") + (rest ? " " + plural(rest, "hour") : ""); }
    if (hours) return plural(hours, working ? "working hour" : "hour") + (minutes ? " " + minutes + " min" : "");
    var mins = minutes ? minutes + (working ? " working min" : " min") : "";
    var secs = (s % 60 || !minutes) ? (s % 60) + " s" : "";
    return [mins, secs].filter(Boolean).join(" ");
  }
  function text(el, now) {
    var due = Number(el.dataset.due);
    if (!due) return null;
    var clock = (due - now) / 1000;
    if (clock <= 0) return { text: "overdue by " + duration(clock, false), overdue: true };
    if (el.dataset.windows) {
      var left = 0;
      JSON.parse(el.dataset.windows).forEach(function (w) { left += Math.max(0, w[1] - Math.max(w[0], now)); });
      return { text: duration(left / 1000, true) + " left", overdue: false };
    }
    return { text: duration(clock, false) + " left", overdue: false };
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll(".countdown[data-due]").forEach(function (el) {
      var t = text(el, now);
      if (!t) return;
      if (el.textContent !== t.text) el.textContent = t.text;
      el.classList.toggle("overdue", t.overdue);
    });
  }
  window.safeguardCountdown = { duration: duration, tick: tick };
  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSwap", tick);
  setInterval(tick, 1000);
})();
