// Resolution decisions from the pair page: merge, keep apart, unsure, undo (each with a reason).
(function () {
  "use strict";
  var form = document.getElementById("decide");
  var out = document.getElementById("decision");
  var stateEl = document.getElementById("pair-state");
  var list = document.getElementById("judgements");
  var action = "merge";
  form.querySelectorAll("button[name=action]").forEach(function (b) {
    b.addEventListener("click", function () { action = b.value; });
  });
  function reason() { return document.getElementById("reason").value.trim(); }
  function show(res, verb) {
    var left = form.dataset.left, right = form.dataset.right;
    var together = (res.after[left] || []).indexOf(right) >= 0;
    stateEl.textContent = together ? "one entity" : "separate";
    out.textContent = verb + " recorded (" + res.judgements.map(function (j) { return j.id; }).join(", ") + ")." +
      (res.conflicts.length ? " Conflict: " + res.conflicts[0].message : "");
    res.judgements.forEach(function (j) {
      var li = document.createElement("li");
      li.dataset.judgement = j.id;
      li.textContent = j.judgement + " by " + j.actor + " (analyst) " + j.created_at + ": " + (j.reason || "") + " ";
      if (j.judgement !== "undo") {
        var b = document.createElement("button");
        b.type = "button"; b.className = "undo"; b.dataset.judgement = j.id; b.textContent = "Undo";
        li.appendChild(b);
      }
      var empty = list.querySelector(".empty"); if (empty) empty.remove();
      list.appendChild(li);
    });
  }
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (reason().length < 3) { out.textContent = "Give a reason (at least 3 characters)."; return; }
    window.cf.api("/api/v1/resolution/" + action, { method: "POST",
      body: { left: form.dataset.left, right: form.dataset.right, reason: reason() } })
      .then(function (res) { show(res, action); })
      .catch(function (e) { out.textContent = "Not recorded: " + e.message; });
  });
  list.addEventListener("click", function (ev) {
    var b = ev.target.closest("button.undo");
    if (!b) return;
    var why = reason() || "undone from the review page";
    window.cf.api("/api/v1/resolution/undo", { method: "POST", body: { judgement: b.dataset.judgement, reason: why } })
      .then(function (res) { b.remove(); show(res, "undo"); })
      .catch(function (e) { out.textContent = "Not undone: " + e.message; });
  });
})();
