// Link chart: the neighbourhood of one or more entities (cytoscape.js), expandable, filterable,
// with the statements behind each tie and the targets of a disruption plan highlighted.
(function () {
  "use strict";
  var cfapi = window.cf;
  var form = document.getElementById("chart-controls");
  var statusEl = document.getElementById("chart-status");
  var detail = document.getElementById("detail");
  var relBox = document.getElementById("relations");
  var seeds = [];
  var hidden = {};
  var COLOURS = { call: "#0b5cad", payment: "#1f7a3a", travel: "#8e44ad", "co-travel": "#8e44ad",
    "co-location": "#c0392b", family: "#d35400", associate: "#7f8c8d", membership: "#16a085",
    ownership: "#2c3e50", uses: "#95a5a6", holds: "#95a5a6", "shared-selector": "#e67e22", at: "#bdc3c7" };

  var cy = cytoscape({
    container: document.getElementById("cy"),
    wheelSensitivity: 0.3,
    style: [
      { selector: "node", style: { "label": "data(label)", "font-size": 10, "text-wrap": "ellipsis",
        "text-max-width": 110, "background-color": "#5b6675", "width": 18, "height": 18 } },
      { selector: "node[kind = 'entity'][schema = 'Person']", style: { "background-color": "#0b5cad" } },
      { selector: "node[kind = 'selector']", style: { "shape": "round-rectangle", "background-color": "#95a5a6", "width": 12, "height": 12 } },
      { selector: "node[kind = 'place']", style: { "shape": "triangle", "background-color": "#27ae60" } },
      { selector: "node[?protected]", style: { "background-color": "#f0ad4e", "shape": "diamond" } },
      { selector: "node[?seed]", style: { "border-width": 3, "border-color": "#17233a" } },
      { selector: "node.target", style: { "background-color": "#d93025", "width": 28, "height": 28 } },
      { selector: "edge", style: { "width": "mapData(weight, 0, 10, 1, 6)", "line-color": "data(colour)",
        "curve-style": "bezier", "opacity": 0.8 } },
      { selector: "edge[relation = 'call'], edge[relation = 'payment']", style: { "target-arrow-shape": "triangle", "target-arrow-color": "data(colour)" } },
      { selector: ":selected", style: { "border-width": 4, "border-color": "#f4b400", "line-color": "#f4b400" } }
    ]
  });

  window.cfChart = cy;  // for the browser tests and the console

  function params() {
    var p = new URLSearchParams();
    seeds.forEach(function (s) { p.append("entity", s); });
    p.set("hops", document.getElementById("hops").value);
    var since = document.getElementById("since").value, until = document.getElementById("until").value;
    var grade = document.getElementById("grade").value;
    if (since) p.set("since", since);
    if (until) p.set("until", until);
    if (grade) p.set("min_grade", grade);
    return p;
  }

  function load() {
    if (!seeds.length) return;
    cfapi.text(statusEl, "Loading…");
    cfapi.api("/api/v1/graph/neighbourhood?" + params().toString()).then(draw).catch(function (e) {
      cfapi.text(statusEl, e.status === 404 ? "No entity you may see has that id." : "Could not load: " + e.message);
    });
  }

  function draw(data) {
    var elements = [];
    data.nodes.forEach(function (n) {
      elements.push({ group: "nodes", data: { id: n.id, label: n.caption, kind: n.kind, schema: n.schema,
        protected: n.protected, seed: data.seeds.indexOf(n.id) >= 0, raw: n } });
    });
    var relations = {};
    data.ties.forEach(function (t, i) {
      relations[t.relation] = (relations[t.relation] || 0) + 1;
      elements.push({ group: "edges", data: { id: "t" + i, source: t.source, target: t.target,
        relation: t.relation, weight: t.weight, colour: COLOURS[t.relation] || "#7f8c8d", raw: t } });
    });
    cy.elements().remove();
    cy.add(elements);
    applyFilter();
    cy.layout({ name: "cose", animate: false, randomize: true, nodeRepulsion: 6000 }).run();
    buildRelationBoxes(relations);
    buildTable(data);
    cfapi.text(statusEl, data.nodes.length + " nodes, " + data.ties.length + " ties within " + data.hops +
      " hop(s)" + (data.truncated ? " (cut short: narrow the filters or hops)" : "") + ".");
    if (!data.ties.length) cfapi.text(statusEl, "No ties you may see around this entity with these filters.");
  }

  function buildRelationBoxes(relations) {
    relBox.querySelectorAll("label").forEach(function (l) { l.remove(); });
    Object.keys(relations).sort().forEach(function (rel) {
      var label = cfapi.el("label");
      var box = cfapi.el("input", { type: "checkbox", value: rel });
      box.checked = !hidden[rel];
      box.addEventListener("change", function () { hidden[rel] = !box.checked; applyFilter(); });
      label.appendChild(box);
      label.appendChild(document.createTextNode(rel + " (" + relations[rel] + ")"));
      relBox.appendChild(label);
    });
  }

  function buildTable(data) {
    var rows = document.getElementById("tie-rows");
    var caption = {};
    data.nodes.forEach(function (n) { caption[n.id] = n.caption; });
    rows.innerHTML = "";
    data.ties.forEach(function (t) {
      var tr = document.createElement("tr");
      [caption[t.source] || t.source, t.relation, caption[t.target] || t.target, t.count, t.first || "", t.last || "",
        t.grading.join(", "), t.classification + " · " + t.handling.map(function (h) { return h.scheme + " " + h.code; }).join(", ")
      ].forEach(function (v) { tr.appendChild(cfapi.el("td", {}, v)); });
      var td = cfapi.el("td");
      [t.source, t.target].forEach(function (id) {
        var node = data.nodes.filter(function (n) { return n.id === id; })[0];
        if (node && node.kind === "entity" && seeds.indexOf(id) < 0) {
          var b = cfapi.el("button", { type: "button", "class": "link-btn" }, "expand " + (caption[id] || id));
          b.addEventListener("click", function () { seeds.push(id); document.getElementById("seed").value = seeds.join(" "); load(); });
          td.appendChild(b);
        }
      });
      tr.appendChild(td);
      rows.appendChild(tr);
    });
  }

  function applyFilter() {
    cy.edges().forEach(function (e) { e.style("display", hidden[e.data("relation")] ? "none" : "element"); });
  }

  function showNode(n) {
    var d = n.data("raw");
    detail.innerHTML = "";
    detail.appendChild(cfapi.el("h3", {}, d.caption));
    detail.appendChild(cfapi.el("p", {}, d.schema + " · " + d.kind + (d.country ? " · " + d.country : "")));
    if (d.protected) detail.appendChild(cfapi.el("p", { "class": "protected" }, "Protected person: never a target."));
    if (d.roles && d.roles.length) detail.appendChild(cfapi.el("p", {}, "Roles: " + d.roles.join(", ")));
    if (d.kind === "entity") {
      var a = cfapi.el("a", { href: "/entities/" + encodeURIComponent(d.id) }, "Open profile");
      detail.appendChild(a);
    }
  }

  function showTie(e) {
    var t = e.data("raw");
    detail.innerHTML = "";
    detail.appendChild(cfapi.el("h3", {}, t.relation + " ×" + t.count));
    detail.appendChild(cfapi.el("p", {}, (t.first || "?") + " → " + (t.last || "?")));
    detail.appendChild(cfapi.el("p", {}, "Grading (common): " + t.grading.join(", ")));
    var mark = t.handling.map(function (h) { return h.scheme + " " + h.code; }).join(", ");
    detail.appendChild(cfapi.el("p", { "class": "marking" }, "Carries " + t.classification + " · " + mark));
    var ul = cfapi.el("ul");
    t.statements.forEach(function (s) { ul.appendChild(cfapi.el("li", {}, s)); });
    detail.appendChild(cfapi.el("p", {}, t.statements.length + " statement(s):"));
    detail.appendChild(ul);
  }

  cy.on("tap", "node", function (ev) { showNode(ev.target); });
  cy.on("tap", "edge", function (ev) { showTie(ev.target); });
  cy.on("dbltap", "node", function (ev) {
    var id = ev.target.id();
    if (ev.target.data("kind") !== "entity" || seeds.indexOf(id) >= 0) return;
    seeds.push(id);
    document.getElementById("seed").value = seeds.join(" ");
    load();
  });

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    seeds = document.getElementById("seed").value.split(/\s+/).filter(Boolean);
    var url = new URL(window.location);
    url.searchParams.delete("entity");
    seeds.forEach(function (s) { url.searchParams.append("entity", s); });
    history.replaceState(null, "", url);
    load();
  });

  document.getElementById("plan-btn").addEventListener("click", function () {
    cfapi.text(statusEl, "Planning on the network you may see…");
    cfapi.api("/api/v1/graph/plan", { method: "POST", body: { k: 5 } }).then(function (res) {
      cy.nodes().removeClass("target");
      var shown = 0;
      (res.plan ? res.plan.targets : []).forEach(function (t) {
        var n = cy.getElementById(t.id);
        if (n.length) { n.addClass("target"); shown += 1; }
      });
      cfapi.text(statusEl, res.plan ? ("Plan (" + res.plan.strategy + "): " + res.plan.targets.map(function (t) { return t.name; }).join(", ") +
        "; " + shown + " of them in this chart. Largest component " + Math.round(res.plan.lcc_initial * 100) + "% → " +
        Math.round(res.plan.lcc_after_k * 100) + "%.") : "No network to plan on.");
    }).catch(function (e) { cfapi.text(statusEl, "Could not plan: " + e.message); });
  });

  seeds = document.getElementById("seed").value.split(/\s+/).filter(Boolean);
  load();
})();
