// Live alerts: the server-sent events stream of what you may see, newest first.
(function () {
  "use strict";
  var list = document.getElementById("alerts");
  var empty = document.getElementById("alerts-empty");
  var status = document.getElementById("stream-status");
  if (!window.EventSource) { status.textContent = "This browser cannot receive live events."; return; }
  var es = new EventSource("/api/v1/events");
  es.onopen = function () { status.textContent = "Live: new reports and alerts you may see appear below."; };
  es.onerror = function () { status.textContent = "Connection lost; reconnecting…"; };
  function add(kind, ev) {
    var data = JSON.parse(ev.data);
    var li = document.createElement("li");
    li.className = "alert-" + kind;
    var when = new Date(data.at * 1000).toLocaleTimeString();
    var text = kind === "report"
      ? when + " · new report " + data.report_id + " from " + data.agency
      : when + " · " + (data.title || data.rule || "alert") + (data.message ? ": " + data.message : "");
    li.textContent = text;
    if (data.entity_id) {
      var a = document.createElement("a");
      a.href = "/entities/" + encodeURIComponent(data.entity_id);
      a.textContent = " open";
      li.appendChild(a);
    }
    list.insertBefore(li, list.firstChild);
    empty.hidden = true;
  }
  es.addEventListener("report", function (ev) { add("report", ev); });
  es.addEventListener("alert", function (ev) {
    // The event says only that an alert was raised; its content comes through the feed, which
    // shows each user only the evidence they may see.
    var data = JSON.parse(ev.data);
    window.cf.api("/api/v1/alerts?after=" + (data.alert_id - 1) + "&limit=1").then(function (list) {
      var a = list[0];
      if (!a) return;
      var li = document.createElement("li");
      li.className = "alert-alert";
      li.textContent = new Date(data.at * 1000).toLocaleTimeString() + " · " + a.title +
        (a.place ? " at " + a.place : "") + (a.at ? " (" + a.at + ")" : "");
      if (a.subject) {
        var link = document.createElement("a");
        link.href = "/entities/" + encodeURIComponent(a.subject);
        link.textContent = " open";
        li.appendChild(link);
      }
      list.length && document.getElementById("alerts").insertBefore(li, document.getElementById("alerts").firstChild);
      document.getElementById("alerts-empty").hidden = true;
    }).catch(function () {});
  });
  window.addEventListener("beforeunload", function () { es.close(); });
})();
