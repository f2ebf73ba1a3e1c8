// Live updates: listen to the server's event stream and refresh what changed, in place.
(function () {
  "use strict";
  var body = document.body;
  var url = body.getAttribute("data-live-url");
  if (!url || !window.EventSource) return;
  var page = body.getAttribute("data-page");
  var current = body.getAttribute("data-conversation");
  var pending = null;

  function refresh(selector) {
    if (!window.htmx || !document.querySelector(selector)) return;
    htmx.ajax("GET", window.location.href, { target: selector, select: selector, swap: "outerHTML" });
  }

  function announce(text) {
    var box = document.getElementById("live-status");
    if (box) box.textContent = text;
  }

  function later(fn) {
    clearTimeout(pending);
    pending = setTimeout(fn, 300); // several events at once: one refresh
  }

  // Tell colleagues we are typing (at most every 5 seconds).
  var lastTyping = 0;
  document.addEventListener("input", function (e) {
    if (e.target.id !== "reply-text" || !window.htmx || !document.getElementById("presence")) return;
    var now = Date.now();
    if (now - lastTyping < 5000) return;
    lastTyping = now;
    var box = document.getElementById("presence");
    htmx.ajax("POST", box.getAttribute("hx-post"), {
      source: box, target: "#presence", swap: "outerHTML", values: { typing: "1" },
    });
  });

  var source = new EventSource(url, { withCredentials: true }); // another port: send the session
  source.addEventListener("change", function (e) {
    var change = JSON.parse(e.data);
    if (page === "inbox") {
      // One request: the counts (#inbox-views) come along out of band.
      later(function () { refresh("#inbox-list"); });
      announce("The inbox was updated.");
    } else if (page === "conversation" && String(change.conversation) === current) {
      var typing = document.getElementById("reply-text");
      later(function () { refresh("#timeline"); refresh("#conversation-meta"); });
      if (change.kind === "message.received") {
        announce("A new message from the customer arrived.");
        if (typing && typing.value.trim()) typing.setAttribute("data-stale", "1");
      }
    }
  });
})();
