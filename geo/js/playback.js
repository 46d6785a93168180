// newsmap's playback: step the map through the shown events one day per tick.
//
// The map shows every event up to the current day (cumulative, not a window): the
// reader watches the events build up, and a day with no new event leaves the map as it
// was instead of blanking it. Stopping puts every event back. Event dates are ISO days
// ("2016-09-18") and are stepped as UTC days, so no time zone shifts a day.
(function () {
  "use strict";
  var DAY_MS = 86400000;
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
    "Dec"];

  function parse(day) {
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(day || ""));
    return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : null;
  }
  function iso(ms) { return new Date(ms).toISOString().slice(0, 10); }
  function label(ms) {
    var d = new Date(ms);
    return d.getUTCDate() + " " + MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear();
  }

  // Markers by day (ms), and the first and last day, of the markers in ``events``.
  function byDay(markers) {
    var days = {}, first = null, last = null;
    markers.forEach(function (marker) {
      var p = marker.feature && marker.feature.properties;
      var ms = p ? parse(p.event_date) : null;
      if (ms === null) { return; }
      (days[ms] = days[ms] || []).push(marker);
      first = first === null ? ms : Math.min(first, ms);
      last = last === null ? ms : Math.max(last, ms);
    });
    return {days: days, first: first, last: last};
  }

  // options: {cluster, events, heat (optional), tickMs}
  window.newsmapPlayback = function (map, options) {
    var cluster = options.cluster, events = options.events, heat = options.heat;
    var timer = null, day = null, shown = 0, markers = [], plan = null;
    var control = L.control({position: "bottomleft"});
    var button, text;

    function say() {
      if (timer === null) {
        var days = plan && plan.first !== null ? (plan.last - plan.first) / DAY_MS + 1 : 0;
        text.textContent = days > 1 ? "Play the " + days + " days" : "One day only";
        text.removeAttribute("data-day");
        button.textContent = "\u25B6";
        button.title = button.ariaLabel = "Play day by day";
        button.disabled = days < 2;
        return;
      }
      text.textContent = label(day) + " \u00B7 " + shown + " events";
      text.setAttribute("data-day", iso(day));
      button.textContent = "\u23F8";
      button.title = button.ariaLabel = "Stop and show every event";
    }
    function refreshHeat(list) {
      if (heat && window.newsmapHeat) { window.newsmapHeat.fill(heat, list); }
    }
    function tick() {
      var adding = plan.days[day] || [];
      if (adding.length) {
        cluster.addLayers(adding);
        markers = markers.concat(adding);
        shown = markers.length;
        refreshHeat(markers);
      }
      say();
      if (day >= plan.last) { window.clearInterval(timer); timer = "done"; return; }
      day += DAY_MS;
    }
    function play() {
      plan = byDay(events.getLayers());
      if (plan.first === null || plan.first === plan.last) { return; }
      cluster.clearLayers();
      markers = [];
      shown = 0;
      day = plan.first;
      timer = window.setInterval(tick, options.tickMs);
      tick();
    }
    function stop() {
      if (timer !== null && timer !== "done") { window.clearInterval(timer); }
      timer = null;
      cluster.clearLayers();
      cluster.addLayer(events);
      refreshHeat(events.getLayers());
      say();
    }

    control.onAdd = function () {
      var div = L.DomUtil.create("div", "nm-note nm-playback");
      button = L.DomUtil.create("button", "nm-play", div);
      button.type = "button";
      text = L.DomUtil.create("span", "nm-day", div);
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.on(button, "click", function () {
        if (timer === null) { play(); } else { stop(); }
      });
      return div;
    };
    // A new view of the map: a playback under way stops (every event back), and the
    // days are those of the events the view holds.
    function reset() {
      if (timer !== null) { stop(); }
      plan = byDay(events.getLayers());
      say();
    }

    control.addTo(map);
    plan = byDay(events.getLayers());
    say();
    return {play: play, stop: stop, reset: reset};
  };
})();
