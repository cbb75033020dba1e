/* Map of the static Transparence page. Reads the territories GeoJSON named by the
 * container's data-geojson attribute (WGS84) and draws the outlines with Leaflet.
 * Tiles are added only when data-tiles is set (export-site --tiles); otherwise the
 * optional context layers (data-context: Wallonia and province outlines) give
 * orientation, and nothing is requested from another host.
 * Opened from disk (file://), browsers refuse fetch(): the same layers are then read from
 * the script named by data-embedded (window.TZCLD_MAP_DATA, keyed by path from the site
 * root). If the map cannot be drawn, data-error-text is shown in its place. */
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el) { return; }
  if (typeof L === "undefined") { showError(new Error("Leaflet not loaded")); return; }
  var lang = el.getAttribute("data-lang") || "fr";
  // Colours and words of the dashboard's maps (tzcld.maps.STATUS_COLOURS, the catalogues).
  var colours = JSON.parse(el.getAttribute("data-status-colours") || "{}");
  var statusLabels = JSON.parse(el.getAttribute("data-status-labels") || "{}");
  var indicativeLabel = el.getAttribute("data-indicative-label") || "";
  function text(s) { var d = document.createElement("div"); d.textContent = s == null ? "" : String(s); return d.innerHTML; }
  function colourOf(p) { return colours[p.status] || colours.unconfirmed || "#c45f00"; }
  function hatchId(p) { return "tzcld-hatch-" + (colours[p.status] ? p.status : "unconfirmed"); }
  // Hatching of indicative perimeters, as on the dashboard (SVG patterns; no inline style).
  (function addHatchPatterns() {
    var patterns = Object.keys(colours).map(function (status) {
      var c = text(colours[status]);
      return '<pattern id="tzcld-hatch-' + text(status) + '" patternUnits="userSpaceOnUse" width="8" height="8"' +
        ' patternTransform="rotate(45)"><rect width="8" height="8" fill="' + c + '" fill-opacity="0.10"></rect>' +
        '<line x1="0" y1="0" x2="0" y2="8" stroke="' + c + '" stroke-width="2.5" stroke-opacity="0.55"></line></pattern>';
    }).join("");
    var holder = document.createElement("div");
    holder.innerHTML = '<svg class="hatch-defs" width="0" height="0" aria-hidden="true"><defs>' + patterns + "</defs></svg>";
    document.body.appendChild(holder.firstChild);
  }());
  var jobsLabel = el.getAttribute("data-jobs-label") || "";
  // Each territory's published perimeter: templates from the page (data-perimeter-*).
  var perimeterLabel = el.getAttribute("data-perimeter-label") || "";
  var perimeterBase = el.getAttribute("data-perimeter-base") || "";
  var perimeterApproved = el.getAttribute("data-perimeter-approved") || "";
  function formatDate(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    if (!m) { return iso || ""; }
    return lang === "en" ? iso : m[3] + "/" + m[2] + "/" + m[1];
  }
  function perimeterText(p) {
    var label = p.perimeter_version_label;
    if (!label) { return ""; }
    var template = label === "base" ? perimeterBase : perimeterApproved;
    return template.replace("{version}", label).replace("{date}", formatDate(p.perimeter_version_date));
  }
  var map = L.map(el, { zoomControl: true, attributionControl: true, preferCanvas: false });
  map.setView([50.4, 5.0], 8);
  var tiles = el.getAttribute("data-tiles");
  if (tiles) {
    L.tileLayer(tiles, { maxZoom: 18, attribution: el.getAttribute("data-tiles-attribution") || "" }).addTo(map);
  }
  var embedded = null;
  function loadEmbedded() {
    if (!embedded) {
      embedded = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = el.getAttribute("data-embedded") || "";
        s.onload = function () { resolve(window.TZCLD_MAP_DATA || {}); };
        s.onerror = function () { reject(new Error(s.src + ": not loaded")); };
        document.head.appendChild(s);
      });
    }
    return embedded;
  }
  function getJSON(url) {
    if (window.location.protocol === "file:" && el.getAttribute("data-embedded")) {
      return loadEmbedded().then(function (layers) {
        var data = layers[url.replace(/^(\.\.\/)+/, "")];
        if (!data) { throw new Error(url + ": not embedded"); }
        return data;
      });
    }
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error(url + ": " + r.status); }
      return r.json();
    });
  }
  function showError(err) {
    el.setAttribute("data-error", String(err));
    var message = el.getAttribute("data-error-text");
    if (message) {
      var p = document.createElement("p");
      p.className = "map-message";
      p.setAttribute("role", "status");
      p.textContent = message;
      el.parentNode.insertBefore(p, el);
      el.setAttribute("hidden", "");
    }
  }
  var context = (el.getAttribute("data-context") || "").split(",").filter(Boolean);
  context.forEach(function (url) {
    getJSON(url).then(function (data) {
      L.geoJSON(data, { interactive: false, style: { color: "#6b7280", weight: 1, fill: false } }).addTo(map).bringToBack();
    }).catch(function () { /* context is optional */ });
  });
  getJSON(el.getAttribute("data-geojson")).then(function (data) {
    var layer = L.geoJSON(data, {
      filter: function (f) { return !!f.geometry; },
      style: function (f) {
        var p = f.properties || {};
        var c = colourOf(p);
        return p.indicative
          ? { color: c, weight: 2, opacity: 0.9, dashArray: "6 4", fillColor: "url(#" + hatchId(p) + ")", fillOpacity: 0.9 }
          : { color: c, weight: 2, opacity: 0.9, fillColor: c, fillOpacity: 0.35 };
      },
      onEachFeature: function (f, l) {
        var p = f.properties || {};
        var html = "<strong>" + text(p.name) + "</strong><br>" + text(p.job_target) + " " + jobsLabel;
        if (statusLabels[p.status]) { html += "<br>" + text(statusLabels[p.status]); }
        if (p.indicative && indicativeLabel) { html += "<br>" + text(indicativeLabel); }
        var perimeter = perimeterText(p);
        if (perimeter) { html += "<br>" + text(perimeterLabel ? perimeterLabel + (lang === "en" ? ": " : " : ") + perimeter : perimeter); }
        l.bindPopup(html);
        l.bindTooltip(text(p.name));
      }
    }).addTo(map);
    var b = layer.getBounds();
    if (b.isValid()) { map.fitBounds(b, { padding: [10, 10] }); }
    el.setAttribute("data-loaded", String(data.features ? data.features.length : 0));
  }).catch(showError);
}());
