// Map of the route (Leaflet, offline): Natural Earth basemap, the gazetteer's places by kind,
// and the IOM Missing Migrants incidents layer. No tiles are fetched from the internet.
(function () {
  "use strict";
  var map = L.map("map", { zoomSnap: 0.5, attributionControl: true }).setView([45.5, 14], 5);
  var KIND = { hub: "#0b5cad", crossing: "#d93025", camp: "#e67e22", beach: "#8e44ad", storage: "#2c3e50",
    origin: "#7f8c8d", arrival: "#1f7a3a" };
  function get(url) { return fetch(url, { credentials: "same-origin" }).then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); }); }

  get("/map/europe.geojson").then(function (geo) {
    L.geoJSON(geo, { style: { color: "#8a9bb0", weight: 0.8, fillColor: "#f4f1ea", fillOpacity: 1 },
      attribution: "Natural Earth (public domain)" }).addTo(map).bringToBack();
  });

  var legend = L.control({ position: "bottomleft" });
  legend.onAdd = function () {
    var div = L.DomUtil.create("div", "legend");
    Object.keys(KIND).forEach(function (k) {
      var row = document.createElement("div");
      var dot = document.createElement("span");
      dot.className = "dot"; dot.style.background = KIND[k];
      row.appendChild(dot); row.appendChild(document.createTextNode(" " + k));
      div.appendChild(row);
    });
    return div;
  };
  legend.addTo(map);

  var layers = {};
  var control = L.control.layers(null, null, { collapsed: false }).addTo(map);

  get("/api/v1/map/places").then(function (fc) {
    var places = L.geoJSON(fc, {
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, { radius: 5, color: KIND[f.properties.kind] || "#333", weight: 2, fillOpacity: 0.8 });
      },
      onEachFeature: function (f, layer) {
        var p = f.properties;
        var div = document.createElement("div");
        var b = document.createElement("strong"); b.textContent = p.name; div.appendChild(b);
        if (p.local) { div.appendChild(document.createTextNode(" (" + p.local + ")")); }
        div.appendChild(document.createElement("br"));
        div.appendChild(document.createTextNode(p.kind + " · " + p.country + (p.stage ? " · " + p.stage : "")));
        layer.bindPopup(div);
        layer.bindTooltip(p.name);
      }
    }).addTo(map);
    layers.places = places;
    control.addOverlay(places, "Route places (gazetteer)");
  }).catch(function () {});

  var entity = new URLSearchParams(window.location.search).get("entity");
  if (entity) {
    get("/api/v1/map/track?entity=" + encodeURIComponent(entity)).then(function (fc) {
      var status = document.getElementById("map-status");
      var n = fc.track.sightings.length;
      status.textContent = n ? (entity + ": " + n + " sightings, furthest stage " + (fc.track.stage || "none")) :
        ("No sightings of " + entity + " that you may see.");
      if (!n) return;
      var layer = L.geoJSON(fc, {
        style: { color: "#d93025", weight: 3, opacity: 0.8 },
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, { radius: 6, color: "#d93025", weight: 2, fillColor: "#fff", fillOpacity: 1 });
        },
        onEachFeature: function (f, l) {
          if (f.properties.kind === "sighting") {
            l.bindTooltip(f.properties.at + " · " + f.properties.place + " · " + f.properties.source + " (" + f.properties.agency + ")");
          }
        }
      }).addTo(map);
      control.addOverlay(layer, "Track of " + entity);
      map.fitBounds(layer.getBounds(), { padding: [30, 30], maxZoom: 8 });
    }).catch(function (e) { document.getElementById("map-status").textContent = "Track: " + e.message; });
  }

  get("/api/v1/map/windows?limit=300").then(function (res) {
    var layer = L.layerGroup();
    res.windows.forEach(function (w) {
      var next = w.where[0];
      if (!next) return;
      var m = L.circleMarker([w.last_seen.lat, w.last_seen.lon], { radius: 7, color: "#f4b400", weight: 3, fillOpacity: 0.2 });
      var div = document.createElement("div");
      div.textContent = w.subject + " last seen " + w.last_seen.at + " at " + w.last_seen.name + "; next: " +
        w.where.map(function (p) { return p.name; }).join(", ") + "; tell " + (w.agencies.join(", ") || "no registered agency") +
        "; until " + (w.until || "unknown") + " (" + w.basis + ")";
      m.bindPopup(div);
      layer.addLayer(m);
    });
    control.addOverlay(layer, "Interception windows (" + res.open + ")");
  }).catch(function () {});

  get("/static/data/iom_incidents.geojson").then(function (fc) {
    var incidents = L.geoJSON(fc, {
      attribution: "IOM Missing Migrants Project (CC BY 4.0)",
      pointToLayer: function (f, latlng) {
        var n = f.properties.dead_or_missing || 1;
        return L.circleMarker(latlng, { radius: Math.min(3 + Math.sqrt(n) * 2, 14), color: "#000", weight: 0.5,
          fillColor: "#555", fillOpacity: 0.5 });
      },
      onEachFeature: function (f, layer) {
        var p = f.properties;
        var div = document.createElement("div");
        div.textContent = p.date + ": " + p.dead_or_missing + " dead or missing" + (p.minors ? " (" + p.minors + " minors)" : "") +
          " · " + p.cause + " · " + p.where + " · IOM Missing Migrants Project";
        layer.bindPopup(div);
      }
    });
    control.addOverlay(incidents, "Deaths and disappearances (IOM, " + fc.features.length + ")");
  }).catch(function () {});
})();
