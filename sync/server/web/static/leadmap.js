// The leads' map: every lead that points somewhere, coloured by its state, clustered. No base
// tiles are fetched (the command's network may have none; its own layers come later). Popups
// are built as DOM nodes with textContent: what a station typed never becomes HTML.
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
  // No tile layer gives the zoom range, so the map sets its own (clusters need one).
  var map = L.map(el, { attributionControl: false, minZoom: 3, maxZoom: 18 })
    .setView([16.0, 106.5], 6);
  var started = performance.now();
  fetch(el.getAttribute("data-source"), { credentials: "same-origin" })
    .then(function (answer) { return answer.json(); })
    .then(function (geo) {
      var cluster = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false });
      var markers = geo.features.map(function (feature) {
        var where = feature.geometry.coordinates, p = feature.properties;
        var marker = L.circleMarker([where[1], where[0]], {
          radius: 7, weight: 2, color: "#ffffff", fillOpacity: 0.9,
          fillColor: colours[p.state] || "#111827"
        });
        var popup = document.createElement("div");
        var link = document.createElement("a");
        link.href = "/leads/" + encodeURIComponent(feature.id);
        link.textContent = (p.martyr || p.description || feature.id).slice(0, 120);
        var line = document.createElement("div");
        line.textContent = (el.getAttribute("data-state-" + p.state) || p.state) + " · " +
          p.mgrs + " · ±" + Math.round(p.uncertainty_m || 0) + " m";
        popup.appendChild(link);
        popup.appendChild(line);
        marker.bindPopup(popup);
        marker.options.leadId = feature.id;
        return marker;
      });
      cluster.addLayers(markers);
      map.addLayer(cluster);
      if (markers.length) { map.fitBounds(cluster.getBounds(), { maxZoom: 13, padding: [30, 30] }); }
      el.setAttribute("data-leads", String(markers.length));
      el.setAttribute("data-drawn-ms", String(Math.round(performance.now() - started)));
      el.classList.add("drawn");
    })
    .catch(function (error) {  // said on the page, not only in the console
      el.setAttribute("data-error", String(error));
      el.textContent = el.getAttribute("data-failed") || String(error);
    });
}());
