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
  var indicativeLabel = lang === "en" ? "indicative perimeter" : "périmètre indicatif";
  var jobsLabel = lang === "en" ? "jobs announced" : "emplois annoncés";
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
  function text(s) { var d = document.createElement("div"); d.textContent = s == null ? "" : String(s); return d.innerHTML; }
  getJSON(el.getAttribute("data-geojson")).then(function (data) {
    var layer = L.geoJSON(data, {
      filter: function (f) { return !!f.geometry; },
      style: function (f) {
        var ind = f.properties && f.properties.indicative;
        return ind
          ? { color: "#b34700", weight: 2, dashArray: "6 4", fillColor: "#b34700", fillOpacity: 0.12 }
          : { color: "#0b4f9c", weight: 2, fillColor: "#0b4f9c", fillOpacity: 0.25 };
      },
      onEachFeature: function (f, l) {
        var p = f.properties || {};
        var html = "<strong>" + text(p.name) + "</strong><br>" + text(p.job_target) + " " + jobsLabel;
        if (p.indicative) { html += "<br>" + indicativeLabel; }
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
