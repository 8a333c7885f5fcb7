// The leads' map: every lead that points somewhere, coloured by its state, clustered
// (supercluster); the command's own map layers (tiles from this server only), each with an
// opacity slider; a latitude/longitude graticule and a UTM/MGRS grid (proj4 draws the UTM lines, mgrs letters
// them the way capture/coords.py reads them); the pointer's MGRS. Nothing is fetched from
// anywhere else. What a station or a person typed (a lead's words, a layer's name) becomes text
// nodes, never HTML (Leaflet's layer control takes HTML names: they are escaped first).
//
// When the clusters are drawn the map says so for the browser tests and the bench:
// data-drawn-ms (performance.now(), i.e. since the navigation started; also data-asked-ms,
// data-fetched-ms, data-made-ms for the steps before it) and a performance mark "leads-drawn".
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.L) { return; }
  var colours = {
    received: "#475569", screening: "#2563eb", cross_checked: "#7c3aed",
    field_check: "#d97706", verified: "#15803d", not_confirmed: "#b91c1c",
    duplicate: "#9ca3af", searched: "#0e7490", remains_found: "#166534",
    nothing_found: "#7f1d1d", gathered: "#14532d", identified: "#052e16"
  };
  function word(name) { return el.getAttribute("data-word-" + name) || name; }
  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // No tile layer gives the zoom range, so the map sets its own (clusters need one).
  var map = L.map(el, { attributionControl: false, minZoom: 4, maxZoom: 18 })
    .setView([16.0, 106.5], 6);
  map.createPane("grid").style.zIndex = 450;  // above the sheets, below the leads
  map.createPane("gridLabels").style.zIndex = 460;
  var gridRenderer = L.svg({ pane: "grid" });

  // --- the layer control, with an opacity slider under each map layer --------------------------
  var Layers = L.Control.Layers.extend({
    _addItem: function (obj) {
      var label = L.Control.Layers.prototype._addItem.call(this, obj);
      var layer = obj.layer;
      if (layer.options && layer.options.slider) {
        var slider = document.createElement("input");
        slider.type = "range"; slider.min = "0"; slider.max = "100"; slider.step = "5";
        slider.className = "opacity";
        slider.value = String(Math.round((layer.options.opacity === undefined ? 1 :
          layer.options.opacity) * 100));
        slider.setAttribute("aria-label", word("opacity") + ": " + layer.options.slider);
        slider.setAttribute("data-layer", layer.options.layerId);
        slider.addEventListener("input", function () {
          layer.setOpacity(Number(slider.value) / 100);
        });
        label.appendChild(slider);
      }
      return label;
    }
  });
  var control = new Layers(null, null, { collapsed: false, sortLayers: false }).addTo(map);

  // --- the graticule ---------------------------------------------------------------------------
  var hemispheres = (el.getAttribute("data-hemispheres") || "N,S,E,W").split(",");
  // Degrees between lines: the first of these round steps that leaves about 150 px or more
  // between two lines at this zoom.
  var STEPS = [10, 5, 2, 1, 30 / 60, 20 / 60, 10 / 60, 5 / 60, 2 / 60, 1 / 60, 30 / 3600,
               15 / 3600, 10 / 3600, 5 / 3600, 2 / 3600, 1 / 3600];
  function stepFor(zoom) {
    var wanted = 150 * 360 / (256 * Math.pow(2, zoom)), step = STEPS[0];
    STEPS.forEach(function (s) { if (s >= wanted) { step = s; } });
    return step;
  }

  function dms(value, step, positive, negative) {
    var v = Math.abs(value), total = Math.round(v * 3600);
    var d = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
    var out = d + "°";
    if (step < 1) { out += (m < 10 ? "0" : "") + m + "′"; }
    if (step < 1 / 60) { out += (s < 10 ? "0" : "") + s + "″"; }
    return out + " " + (value < 0 ? negative : positive);
  }

  function label(latlng, text, className, data) {
    var box = document.createElement("div"), span = document.createElement("span");
    span.textContent = text;
    box.appendChild(span);
    Object.keys(data || {}).forEach(function (k) { box.setAttribute("data-" + k, data[k]); });
    return L.marker(latlng, { pane: "gridLabels", interactive: false, keyboard: false,
      icon: L.divIcon({ html: box, className: "grid-label " + className, iconSize: null }) });
  }

  var Graticule = L.LayerGroup.extend({
    onAdd: function (m) {
      L.LayerGroup.prototype.onAdd.call(this, m);
      m.on("moveend", this.redraw, this);
      this.redraw();
    },
    onRemove: function (m) {
      m.off("moveend", this.redraw, this);
      L.LayerGroup.prototype.onRemove.call(this, m);
    },
    redraw: function () {
      this.clearLayers();
      var b = map.getBounds(), step = stepFor(map.getZoom());
      var south = Math.max(-85, b.getSouth()), north = Math.min(85, b.getNorth());
      var west = Math.max(-180, b.getWest()), east = Math.min(180, b.getEast());
      var style = { renderer: gridRenderer, color: "#1e3a8a", weight: 1, opacity: 0.6,
                    interactive: false };
      var lat, lon, n = 0;
      for (lat = Math.ceil(south / step) * step; lat <= north && n < 200; lat += step, n++) {
        this.addLayer(L.polyline([[lat, west], [lat, east]], style));
        this.addLayer(label([lat, west], dms(lat, step, hemispheres[0], hemispheres[1]),
          "graticule-label", { lat: lat.toFixed(6) }));
      }
      for (lon = Math.ceil(west / step) * step; lon <= east && n < 400; lon += step, n++) {
        this.addLayer(L.polyline([[south, lon], [north, lon]], style));
        this.addLayer(label([north, lon], dms(lon, step, hemispheres[2], hemispheres[3]),
          "graticule-label", { lon: lon.toFixed(6) }));
      }
    }
  });

  // --- the UTM/MGRS grid -----------------------------------------------------------------------
  var WGS84 = "EPSG:4326";
  function utm(zone, south) {
    return "+proj=utm +zone=" + zone + (south ? " +south" : "") + " +datum=WGS84 +units=m";
  }
  // "48QXD8442" -> "48Q XD 84 42"
  function spaced(text) {
    var m = /^(\d{1,2}[C-X])([A-Z]{2})(\d*)$/.exec(text);
    if (!m) { return text; }
    var half = m[3].length / 2;
    return [m[1], m[2], m[3].slice(0, half), m[3].slice(half)].join(" ").trim();
  }
  function mgrsOf(lat, lon, digits) { return spaced(window.mgrs.forward([lon, lat], digits)); }

  // Keep the runs of a sampled line inside [west, east] × [south, north], cut where it leaves.
  function clip(points, west, east, south, north) {
    function inside(p) { return p[1] >= west && p[1] <= east && p[0] >= south && p[0] <= north; }
    function cut(a, b) {  // where a (inside) → b (outside) crosses the box's edge
      var t = 1;
      if (b[1] > east) { t = Math.min(t, (east - a[1]) / (b[1] - a[1])); }
      if (b[1] < west) { t = Math.min(t, (west - a[1]) / (b[1] - a[1])); }
      if (b[0] > north) { t = Math.min(t, (north - a[0]) / (b[0] - a[0])); }
      if (b[0] < south) { t = Math.min(t, (south - a[0]) / (b[0] - a[0])); }
      return [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
    }
    var runs = [], run = [];
    for (var i = 0; i < points.length; i++) {
      var p = points[i];
      if (inside(p)) {
        if (!run.length && i > 0) { run.push(cut(p, points[i - 1])); }
        run.push(p);
      } else if (run.length) {
        run.push(cut(points[i - 1], p));
        runs.push(run); run = [];
      }
    }
    if (run.length > 1) { runs.push(run); }
    return runs;
  }

  var UtmGrid = Graticule.extend({
    redraw: function () {
      this.clearLayers();
      var z = map.getZoom(), b = map.getBounds();
      var south = Math.max(-80, b.getSouth()), north = Math.min(84, b.getNorth());
      var west = Math.max(-180, b.getWest()), east = Math.min(180, b.getEast());
      var zoneStyle = { renderer: gridRenderer, color: "#7c2d12", weight: 2, opacity: 0.8,
                        interactive: false };
      var first = Math.floor((west + 180) / 6) + 1, last = Math.floor((east + 180) / 6) + 1;
      for (var zone = first; zone <= Math.min(last, 60); zone++) {
        var zw = -180 + (zone - 1) * 6, ze = zw + 6;
        if (zw >= west) { this.addLayer(L.polyline([[south, zw], [north, zw]], zoneStyle)); }
        if (z < 6) {  // the grid zones alone, with their bands
          for (var band = Math.floor((south + 80) / 8); band * 8 - 80 < north; band++) {
            var bs = band * 8 - 80, mid = [Math.min(bs + 4, 83), zw + 3];
            this.addLayer(L.polyline([[bs, Math.max(zw, west)], [bs, Math.min(ze, east)]],
              zoneStyle));
            if (b.contains(mid)) {
              this.addLayer(label(mid, zone + "CDEFGHJKLMNPQRSTUVWXX".charAt(band),
                "utm-zone-label"));
            }
          }
          continue;
        }
        if (south < 0) { this.lines(zone, true, Math.max(zw, west), Math.min(ze, east), south,
                                    Math.min(0, north), z); }
        if (north > 0) { this.lines(zone, false, Math.max(zw, west), Math.min(ze, east),
                                    Math.max(0, south), north, z); }
      }
    },
    // The lines of one zone (one hemisphere) inside the box: 100 km, 10 km or 1 km apart.
    lines: function (zone, southern, west, east, south, north, z) {
      var step = z >= 12 ? 1000 : z >= 10 ? 10000 : 100000;
      var project = proj4(WGS84, utm(zone, southern));
      var e0 = Infinity, e1 = -Infinity, n0 = Infinity, n1 = -Infinity, i, j;
      for (i = 0; i <= 8; i++) {  // the box's edges in UTM (they curve)
        var f = i / 8;
        [[south + f * (north - south), west], [south + f * (north - south), east],
         [south, west + f * (east - west)], [north, west + f * (east - west)]]
          .forEach(function (p) {
            var xy = project.forward([p[1], p[0]]);
            e0 = Math.min(e0, xy[0]); e1 = Math.max(e1, xy[0]);
            n0 = Math.min(n0, xy[1]); n1 = Math.max(n1, xy[1]);
          });
      }
      e0 = Math.floor(e0 / step) * step; n0 = Math.floor(n0 / step) * step;
      if ((e1 - e0) / step > 150 || (n1 - n0) / step > 150) { return; }
      var style = { renderer: gridRenderer, color: "#9a3412", interactive: false,
                    weight: step === 100000 ? 1.5 : 1, opacity: step === 100000 ? 0.8 : 0.5 };
      var that = this, samples = 16;
      function draw(points) {
        clip(points, west, east, south, north).forEach(function (run) {
          that.addLayer(L.polyline(run, style));
        });
      }
      function ll(e, n) { var p = project.inverse([e, n]); return [p[1], p[0]]; }
      for (var e = e0; e <= e1; e += step) {
        var line = [];
        for (j = 0; j <= samples; j++) { line.push(ll(e, n0 + (n1 - n0) * j / samples)); }
        draw(line);
      }
      for (var n = n0; n <= n1; n += step) {
        var row = [];
        for (j = 0; j <= samples; j++) { row.push(ll(e0 + (e1 - e0) * j / samples, n)); }
        draw(row);
      }
      var box = L.latLngBounds([south, west], [north, east]);
      // Labels: each 100 km square by its letters; at zoom 14 and closer each 1 km square
      // whole ("48Q XD 84 42"), at the square's centre, which is where the parser reads it.
      var cell = z >= 14 ? 1000 : 100000, digits = z >= 14 ? 2 : 0;
      var c0e = Math.floor(e0 / cell) * cell, c0n = Math.floor(n0 / cell) * cell;
      if ((e1 - c0e) / cell * (n1 - c0n) / cell > 600) { return; }
      for (var ce = c0e; ce <= e1; ce += cell) {
        for (var cn = c0n; cn <= n1; cn += cell) {
          // A 1 km square is labelled at its centre; a 100 km square at the middle of the
          // part of it in view (its centre is often off the screen).
          var centre = digits ? ll(ce + cell / 2, cn + cell / 2) :
            ll((Math.max(ce, e0) + Math.min(ce + cell, e1)) / 2,
               (Math.max(cn, n0) + Math.min(cn + cell, n1)) / 2);
          if (!box.contains(centre)) { continue; }
          this.addLayer(label(centre, mgrsOf(centre[0], centre[1], digits),
            digits ? "utm-label utm-cell" : "utm-label utm-square",
            { lat: centre[0].toFixed(7), lon: centre[1].toFixed(7) }));
        }
      }
    }
  });

  var graticule = new Graticule(), grid = new UtmGrid();
  control.addOverlay(graticule, escapeHtml(word("graticule")));
  if (window.proj4 && window.mgrs) { control.addOverlay(grid, escapeHtml(word("utm-grid"))); }

  // --- the pointer's MGRS and WGS 84 ------------------------------------------------------------
  var Pointer = L.Control.extend({
    options: { position: "bottomleft" },
    onAdd: function () {
      var box = L.DomUtil.create("div", "pointer-mgrs");
      box.id = "pointer-mgrs";
      box.title = word("pointer");
      return box;
    }
  });
  var pointer = new Pointer().addTo(map);
  function show(latlng) {
    var box = pointer.getContainer(), lat = latlng.lat, lon = L.Util.wrapNum(latlng.lng,
      [-180, 180], true);
    var text = lat.toFixed(6) + ", " + lon.toFixed(6);
    if (window.mgrs && lat > -80 && lat < 84) {
      text = mgrsOf(lat, lon, 5) + " · " + text;
    }
    box.textContent = text;
    box.setAttribute("data-lat", lat.toFixed(7));
    box.setAttribute("data-lon", lon.toFixed(7));
  }
  map.on("mousemove", function (e) { show(e.latlng); });
  map.on("moveend", function () { show(map.getCenter()); });
  show(map.getCenter());

  // --- the command's map layers ----------------------------------------------------------------
  var layerBounds = null;
  var layersSource = el.getAttribute("data-layers");
  var layersDone = !layersSource ? Promise.resolve() :
    fetch(layersSource, { credentials: "same-origin" })
      .then(function (answer) { return answer.ok ? answer.json() : { layers: [] }; })
      .then(function (found) {
        found.layers.forEach(function (layer) {
          var bounds = L.latLngBounds([layer.bounds[1], layer.bounds[0]],
                                      [layer.bounds[3], layer.bounds[2]]);
          var tiles = L.tileLayer(layer.url, {
            bounds: bounds, minNativeZoom: layer.min_zoom, maxNativeZoom: layer.max_zoom,
            maxZoom: 18, opacity: 1, slider: layer.name, layerId: layer.id,
            className: "map-layer map-layer-" + layer.id
          }).addTo(map);
          control.addOverlay(tiles, escapeHtml(layer.name));
          layerBounds = layerBounds ? layerBounds.extend(bounds) : L.latLngBounds(
            bounds.getSouthWest(), bounds.getNorthEast());
        });
        el.setAttribute("data-layers-shown", String(found.layers.length));
      });

  // --- the leads -------------------------------------------------------------------------------
  function popupFor(row, states) {
    var box = document.createElement("div"), link = document.createElement("a");
    link.href = "/leads/" + encodeURIComponent(row[0]);
    link.textContent = row[6] || row[0];
    var line = document.createElement("div"), state = states[row[3]];
    line.textContent = (el.getAttribute("data-state-" + state) || state) + " · " +
      (window.mgrs ? mgrsOf(row[1], row[2], 5) : row[1] + ", " + row[2]) + " · ±" + row[4] +
      " m" + (row[5] ? " · " + word("proposed") : "");
    box.appendChild(link);
    box.appendChild(line);
    return box;
  }

  function drawn(count) {
    requestAnimationFrame(function () {
      el.setAttribute("data-leads", String(count));
      el.setAttribute("data-drawn-ms", String(Math.round(performance.now())));
      if (performance.mark) { performance.mark("leads-drawn"); }
      el.classList.add("drawn");
    });
  }

  // The leads, clustered by supercluster (a k-d tree per zoom, made once); on each move only
  // what the view holds is drawn: a cluster as a count, a lone lead as its coloured dot.
  var LeadLayer = L.LayerGroup.extend({
    initialize: function (rows, states) {
      L.LayerGroup.prototype.initialize.call(this);
      this.rows = rows; this.states = states;
      var points = new Array(rows.length);
      for (var i = 0; i < rows.length; i++) {
        points[i] = { type: "Feature", properties: { i: i },
                      geometry: { type: "Point", coordinates: [rows[i][2], rows[i][1]] } };
      }
      this.index = new Supercluster({ radius: 60, maxZoom: 16, minPoints: 2 }).load(points);
    },
    onAdd: Graticule.prototype.onAdd,
    onRemove: Graticule.prototype.onRemove,
    redraw: function () {
      this.clearLayers();
      var b = map.getBounds().pad(0.2), zoom = Math.round(map.getZoom()), that = this;
      var found = this.index.getClusters([Math.max(-180, b.getWest()), Math.max(-85,
        b.getSouth()), Math.min(180, b.getEast()), Math.min(85, b.getNorth())], zoom);
      found.forEach(function (f) {
        var where = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
        if (f.properties.cluster) { that.addLayer(that.cluster(f, where)); return; }
        that.addLayer(that.dot(that.rows[f.properties.i]));
      });
    },
    cluster: function (f, where) {
      var n = f.properties.point_count, box = document.createElement("div");
      var span = document.createElement("span");
      span.textContent = f.properties.point_count_abbreviated;
      box.appendChild(span);
      var size = n < 10 ? "small" : n < 100 ? "medium" : "large";
      var marker = L.marker(where, { keyboard: false, title: String(n), icon: L.divIcon({
        html: box, className: "lead-cluster lead-cluster-" + size, iconSize: [40, 40] }) });
      var index = this.index;
      marker.on("click", function () {
        map.setView(where, Math.min(index.getClusterExpansionZoom(f.properties.cluster_id),
                                    map.getMaxZoom()));
      });
      return marker;
    },
    dot: function (row) {
      var colour = colours[this.states[row[3]]] || "#111827", states = this.states;
      var dot = L.circleMarker([row[1], row[2]], row[5] ? {
        radius: 7, weight: 2, color: colour, dashArray: "3 2", fillColor: colour,
        fillOpacity: 0.35 } : {
        radius: 7, weight: 2, color: "#ffffff", fillColor: colour, fillOpacity: 0.9 });
      dot.on("click", function () {  // the popup is made when it is opened
        L.popup().setLatLng(dot.getLatLng()).setContent(popupFor(row, states)).openOn(map);
      });
      return dot;
    }
  });

  el.setAttribute("data-asked-ms", String(Math.round(performance.now())));
  fetch(el.getAttribute("data-source"), { credentials: "same-origin" })
    .then(function (answer) {
      if (!answer.ok) { throw new Error("HTTP " + answer.status); }
      return answer.json();
    })
    .then(function (data) {
      el.setAttribute("data-fetched-ms", String(Math.round(performance.now())));
      var rows = data.leads, leads = new LeadLayer(rows, data.states);
      el.setAttribute("data-made-ms", String(Math.round(performance.now())));
      control.addOverlay(leads, escapeHtml(word("leads")));
      if (rows.length) {
        var box = L.latLngBounds(rows.map(function (r) { return [r[1], r[2]]; }));
        map.fitBounds(box, { maxZoom: 13, padding: [30, 30] });
      } else {
        layersDone.then(function () {
          if (layerBounds) { map.fitBounds(layerBounds, { padding: [20, 20] }); }
        });
      }
      map.addLayer(leads);
      drawn(rows.length);
    })
    .catch(function (error) {  // said on the page, not only in the console
      el.setAttribute("data-error", String(error));
      var said = document.createElement("p");
      said.className = "error";
      said.textContent = el.getAttribute("data-failed") || String(error);
      el.parentNode.insertBefore(said, el);
    });
}());
