// Keyboard: j/k move, o or Enter open, r reply, n note, a assign, / search, ? help.
(function () {
  "use strict";

  function rows() {
    var inbox = document.querySelectorAll("#inbox-list table.conversations tbody tr[data-href]");
    if (inbox.length) return inbox;
    return document.querySelectorAll("#timeline > li.message");
  }

  function move(step) {
    var list = rows();
    if (!list.length) return;
    var at = -1;
    for (var i = 0; i < list.length; i++) if (list[i].classList.contains("selected")) at = i;
    var next = Math.max(0, Math.min(list.length - 1, at + step));
    if (at >= 0) list[at].classList.remove("selected");
    var row = list[next];
    row.classList.add("selected");
    row.setAttribute("tabindex", "-1");
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  function open() {
    var row = document.querySelector("tr.selected[data-href]");
    if (row) window.location.href = row.getAttribute("data-href");
  }

  function compose(mode) {
    var text = document.getElementById("reply-text");
    if (!text) return;
    var form = text.form;
    if (form) form.setAttribute("data-mode", mode);
    var label = document.getElementById("composer-mode");
    if (label) label.textContent = mode === "note" ? "Writing an internal note" : "Writing a reply";
    text.focus();
  }

  function focus(id) {
    var el = document.getElementById(id);
    if (el) el.focus();
  }

  function help() {
    var dialog = document.getElementById("keys-help");
    if (!dialog) return;
    if (dialog.open) dialog.close(); else dialog.showModal();
  }

  var actions = {
    j: function () { move(1); },
    k: function () { move(-1); },
    o: open,
    Enter: open,
    r: function () { compose("reply"); },
    n: function () { compose("note"); },
    a: function () { focus("assign-to"); },
    "/": function () { focus("top-q"); },
    "?": help,
  };

  document.addEventListener("keydown", function (e) {
    var target = e.target;
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable;
    if (typing) {
      // Ctrl+Enter sends from the composer: a reply, or a note after "n".
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && target.id === "reply-text") {
        var mode = target.form.getAttribute("data-mode") === "note" ? "note" : "reply";
        var button = target.form.querySelector('button[name="kind"][value="' + mode + '"]');
        if (button) { e.preventDefault(); button.click(); }
      }
      if (e.key === "Escape") target.blur();
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var action = actions[e.key];
    if (action && !(e.key === "Enter" && target.tagName === "A")) {
      e.preventDefault();
      action();
    }
  });

  document.addEventListener("click", function (e) {
    var row = e.target.closest && e.target.closest("tr[data-href]");
    if (row && e.target.tagName !== "A" && !e.target.closest("input, label, button, select")) {
      window.location.href = row.getAttribute("data-href");
    }
  });
})();
