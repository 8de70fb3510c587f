// The case builder: open a case, add and remove targets, store exhibits (all through the API).
(function () {
  "use strict";
  var opener = document.getElementById("open-case");
  if (opener) {
    opener.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var f = new FormData(opener), out = document.getElementById("case-result");
      window.cf.api("/api/v1/cases", { method: "POST",
        body: { id: f.get("id"), title: f.get("title"), description: f.get("description") || null } })
        .then(function (c) { window.location = "/cases/" + encodeURIComponent(c.id); })
        .catch(function (e) { out.textContent = "Not opened: " + e.message; });
    });
  }
  var toCase = document.getElementById("to-case");
  if (toCase) {
    toCase.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var c = new FormData(toCase).get("case"), said = document.getElementById("to-case-status");
      window.cf.api("/api/v1/cases/" + encodeURIComponent(c) + "/targets", { method: "POST",
        body: { entities: [toCase.dataset.entity] } })
        .then(function (r) { said.textContent = r.added.length ? "Added to " + c + "." : "Already a target of " + c + "."; })
        .catch(function (e) { said.textContent = "Not added: " + e.message; });
    });
  }
  var box = document.getElementById("case");
  if (!box) return;
  var id = encodeURIComponent(box.dataset.case), status = document.getElementById("case-status");
  function fail(what) { return function (e) { status.textContent = what + ": " + e.message; }; }
  var add = document.getElementById("add-target");
  if (add) {
    add.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var f = new FormData(add);
      window.cf.api("/api/v1/cases/" + id + "/targets", { method: "POST",
        body: { entities: [f.get("entity").trim()], note: f.get("note") || null } })
        .then(function () { window.location.reload(); })
        .catch(fail("Not added"));
    });
  }
  document.querySelectorAll("button.remove-target").forEach(function (b) {
    b.addEventListener("click", function () {
      window.cf.api("/api/v1/cases/" + id + "/targets/" + encodeURIComponent(b.dataset.entity), { method: "DELETE" })
        .then(function () { window.location.reload(); })
        .catch(fail("Not removed"));
    });
  });
  var doc = document.getElementById("add-document");
  if (doc) {
    doc.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var f = new FormData(doc), code = String(f.get("handling")).split(" ");
      f.delete("handling");
      f.append("handling_scheme", code[0]);
      f.append("handling_code", code[1]);
      fetch("/api/v1/cases/" + id + "/documents", { method: "POST", body: f, credentials: "same-origin" })
        .then(function (r) { return r.json().then(function (b) { if (!r.ok) throw new Error(b.message || r.status); return b; }); })
        .then(function () { window.location.reload(); })
        .catch(fail("Not stored"));
    });
  }
})();
