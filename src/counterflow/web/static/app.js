// Counterflow workspace: keyboard shortcut for search, and the live-alert badge on every page.
(function () {
  "use strict";
  document.addEventListener("keydown", function (e) {
    var tag = (e.target && e.target.tagName) || "";
    if (e.key === "/" && !/INPUT|TEXTAREA|SELECT/.test(tag)) {
      var q = document.getElementById("q");
      if (q) { q.focus(); e.preventDefault(); } else { window.location = "/"; }
    }
  });
  var badge = document.getElementById("alert-count");
  if (badge && window.EventSource && !document.getElementById("alerts")) {
    var n = 0;
    var es = new EventSource("/api/v1/events");
    es.addEventListener("alert", function () { n += 1; badge.textContent = n; badge.hidden = false; });
    es.addEventListener("report", function () { n += 1; badge.textContent = n; badge.hidden = false; });
    window.addEventListener("beforeunload", function () { es.close(); });
  }
})();

// Shared helpers for the page scripts.
window.cf = {
  api: function (path, options) {
    options = options || {};
    options.credentials = "same-origin";
    options.headers = Object.assign({ "Accept": "application/json" }, options.headers || {});
    if (options.body && typeof options.body !== "string") {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(options.body);
    }
    return fetch(path, options).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (!r.ok) { var err = new Error(body.message || ("HTTP " + r.status)); err.status = r.status; throw err; }
        return body;
      });
    });
  },
  text: function (el, s) { el.textContent = s == null ? "" : String(s); return el; },
  el: function (tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text != null) e.textContent = String(text);
    return e;
  }
};
