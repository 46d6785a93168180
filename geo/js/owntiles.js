// The reader's own tiles (geo.tilelayer): vector tiles drawn by protomaps-leaflet with the
// style of geo/rules/tile_style.toml, raster tiles by L.tileLayer. Tiles come whole from
// geo.serve. A page opened from file:// cannot fetch them, and says so on the map.
(function () {
  function note(map, className, text) {
    var control = L.control({position: "bottomleft"});
    control.onAdd = function () {
      var div = L.DomUtil.create("div", "nm-note " + className);
      div.textContent = text;
      return div;
    };
    return control.addTo(map);
  }

  // One paint rule per geometry kind a style entry gives, for one vector layer.
  function paintRules(P, layer, entry) {
    var rules = [];
    function only(kind) {
      return function (zoom, feature) { return feature.geomType === kind; };
    }
    if (entry.polygon) {
      var p = entry.polygon;
      rules.push({dataLayer: layer, filter: only(3), symbolizer: new P.PolygonSymbolizer({
        fill: p.fill, opacity: p.opacity === undefined ? 1 : p.opacity,
        stroke: p.stroke || p.fill, width: p.width || 0})});
    }
    if (entry.line) {
      var l = entry.line;
      rules.push({dataLayer: layer, filter: only(2), symbolizer: new P.LineSymbolizer({
        color: l.color, width: l.width || 1, opacity: l.opacity === undefined ? 1 : l.opacity})});
    }
    if (entry.point) {
      rules.push({dataLayer: layer, filter: only(1), symbolizer: new P.CircleSymbolizer({
        fill: entry.point.fill, radius: entry.point.radius || 2, width: 0})});
    }
    return rules;
  }

  function vectorLayer(options) {
    var P = window.protomapsL;
    var style = options.style, styled = {}, paint = [], labels = [];
    var present = options.layers.length ? options.layers : null;
    function has(name) { return !present || present.indexOf(name) >= 0; }
    style.layers.forEach(function (entry) {
      entry.names.forEach(function (name) {
        styled[name] = true;
        if (!has(name)) { return; }
        paint = paint.concat(paintRules(P, name, entry));
        if (entry.label) {
          labels.push({dataLayer: name, symbolizer: new P.CenteredTextSymbolizer({
            labelProps: ["name:en", "name"], fill: entry.label.fill,
            stroke: entry.label.stroke, width: 2, font: entry.label.font})});
        }
      });
    });
    // A layer the style does not name is still drawn, quietly, under the styled ones.
    var rest = [];
    (present || []).forEach(function (name) {
      if (!styled[name]) { rest = rest.concat(paintRules(P, name, style.fallback)); }
    });
    return P.leafletLayer({
      url: options.url, paintRules: rest.concat(paint), labelRules: labels,
      maxDataZoom: options.maxzoom, bounds: options.bounds, pane: options.pane,
      attribution: options.attribution || " ", noWrap: true
    });
  }

  window.newsmapOwnTiles = function (map, options) {
    var pane = map.getPane(options.pane) || map.createPane(options.pane);
    pane.style.zIndex = options.paneZ;
    pane.style.pointerEvents = "none";
    var status = {tiles: 0, errors: 0, drawn: false, note: null};
    map._newsmapOwnTiles = status;
    if (location.protocol === "file:") {
      status.note = "file";
      note(map, "nm-own-tiles-note", options.fileNote);
      return L.layerGroup();
    }
    if (options.vector && !window.protomapsL) {
      status.note = "missing";
      note(map, "nm-own-tiles-note nm-tile-error", options.missingNote);
      return L.layerGroup();
    }
    var layer = options.vector ? vectorLayer(options) : L.tileLayer(options.url, {
      pane: options.pane, bounds: options.bounds, minNativeZoom: options.minzoom,
      maxNativeZoom: options.maxzoom, maxZoom: 18, attribution: options.attribution,
      noWrap: true
    });
    var shown = null;
    layer.on("tileload", function () {
      status.tiles += 1;
      status.drawn = true;
      if (shown) { shown.remove(); shown = null; }
    });
    layer.on("tileerror", function () {
      status.errors += 1;
      if (!shown && !status.drawn) {
        shown = note(map, "nm-own-tiles-note nm-tile-error", options.errorNote);
      }
    });
    return layer;
  };
})();
