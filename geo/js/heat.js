// newsmap's heatmap: Leaflet.heat fed with the event markers the map holds.
// Each event weighs 1 + ln(1 + fatalities) (an unknown toll counts as none), so that one
// large toll does not hide every other event and events without deaths still show.
(function () {
  "use strict";

  function weight(fatalities) {
    var deaths = Number(fatalities);
    return 1 + Math.log(1 + (deaths > 0 ? deaths : 0));
  }

  // [lat, lon, weight] of each event marker; the scale tops out at the heaviest event,
  // so a lone large toll is red and a cell of many small ones adds up to it.
  function points(markers) {
    var out = [], heaviest = 2;
    markers.forEach(function (marker) {
      var p = marker.feature && marker.feature.properties;
      if (!p || !marker.getLatLng) { return; }
      var w = weight(p.fatalities), at = marker.getLatLng();
      heaviest = Math.max(heaviest, w);
      out.push([at.lat, at.lng, w]);
    });
    return {points: out, max: heaviest};
  }

  window.newsmapHeat = {
    weight: weight,
    layer: function (options) {
      if (!L.heatLayer) { return L.layerGroup(); }
      var heat = L.heatLayer([], options), redraw = heat._redraw;
      heat.heaviest = 2;
      // Leaflet.heat scales every weight by 2^-(maxZoom - zoom) (at most 2^-12), and its
      // maxZoom option cannot be lowered without Leaflet's layer control disabling the
      // overlay above that zoom: scale the top of the colour ramp alike, so an event's
      // colour does not fade as one zooms out.
      heat._redraw = function () {
        var map = this._map, fade = Math.max(0, Math.min(map.getMaxZoom() - map.getZoom(), 12));
        this.options.max = this.heaviest / Math.pow(2, fade);
        this._heat.max(this.options.max);
        return redraw.call(this);
      };
      return heat;
    },
    // Draw ``markers`` (Leaflet markers with GeoJSON features) on ``heat``.
    fill: function (heat, markers) {
      if (!heat.setLatLngs) { return; }
      var data = points(markers);
      heat.heaviest = data.max;
      heat.setLatLngs(data.points);
    }
  };
})();
