// Draws each map of an optimise report from the JSON block beside it (no network).
// window.reportFeatures = {mapId: {layerName: featuresDrawn}} lets a test check the map.
(function () {
  "use strict";
  var counts = {};
  document.querySelectorAll(".map[data-map]").forEach(function (div) {
    var id = div.getAttribute("data-map");
    var spec = JSON.parse(document.getElementById(id + "-data").textContent);
    var map = L.map(div, { zoomSnap: 0.25, preferCanvas: false });
    if (spec.basemap) {
      L.tileLayer(spec.basemap, { maxZoom: 19, attribution: "basemap: " + spec.basemap }).addTo(map);
    }
    var overlays = {};
    var drawn = {};
    var bounds = L.latLngBounds([]);
    spec.layers.forEach(function (layer) {
      var n = 0;
      var group = L.geoJSON(layer.data, {
        style: function (f) { return f.properties._style; },
        pointToLayer: function (f, latlng) { return L.circleMarker(latlng, f.properties._style); },
        onEachFeature: function (f, l) {
          n += 1;
          if (f.properties._popup) { l.bindPopup(f.properties._popup); }
        }
      }).addTo(map);
      overlays[layer.name] = group;
      drawn[layer.name] = n;
      if (n) { bounds.extend(group.getBounds()); }
    });
    L.control.layers(null, overlays, { collapsed: false }).addTo(map);
    L.control.scale({ imperial: true }).addTo(map);
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [10, 10] });
    } else {
      map.setView([55.2, -2.0], 8);
    }
    counts[id] = drawn;
  });
  window.reportFeatures = counts;
})();
