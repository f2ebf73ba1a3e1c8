// Regard's chat widget: one script tag on the host page, a launcher and a panel in a Shadow DOM.
// Plain JavaScript, no dependencies. Outside text only ever goes into textContent, never HTML.
(function () {
  "use strict";
  if (window.__regardChat || !window.fetch) return;
  window.__regardChat = true;

  var script = document.currentScript ||
    document.querySelector("script[data-regard], script[src*='chat/widget.js']");
  var src = script && script.src ? new URL(script.src, location.href) : new URL(location.href);
  var BASE = ((script && script.getAttribute("data-regard")) || src.origin).replace(/\/+$/, "");
  var IDENTITY = (script && script.getAttribute("data-identity")) || "";
  var CSS = new URL("widget.css", src).href;
  var KEY = "regard-chat-token";
  var WHO_KEY = "regard-chat-who"; // whose signed-in chat the kept token is ("" for anonymous)
  var WHO = emailOf(IDENTITY);
  var TYPING_EVERY = 3000; // send "typing" at most this often
  var TYPING_IDLE = 4000; // then "stopped" after this long without a key
  var AGENT_TYPING_SHOWN = 30000; // no "stopped" came (their tab closed): hide it anyway

  var state = {
    token: load(KEY), started: false, online: true, known: false, email: "", name: "",
    team: "", lastId: 0, shown: {}, source: null, retry: 1000, unread: 0, open: false,
  };

  // --- small helpers --------------------------------------------------------------------------

  function load(key) {
    try { return localStorage.getItem(key) || ""; } catch (e) { return ""; }
  }
  function save(token, known) {
    state.token = token || "";
    try {
      if (token) localStorage.setItem(KEY, token); else localStorage.removeItem(KEY);
      if (token && known) localStorage.setItem(WHO_KEY, WHO); else localStorage.removeItem(WHO_KEY);
    } catch (e) { /* storage blocked: the chat still works until the page is left */ }
  }
  // The e-mail inside the host site's identity token (its first part is base64url JSON).
  function emailOf(identity) {
    try {
      var part = identity.split(".")[0].replace(/-/g, "+").replace(/_/g, "/");
      return String(JSON.parse(atob(part)).email || "");
    } catch (e) { return ""; }
  }
  // A shared computer: a signed-in customer's chat is never resumed for somebody else.
  var kept = load(WHO_KEY);
  if (kept && kept !== WHO) save("");

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (name === "text") node.textContent = value;
      else if (name === "class") node.className = value;
      else if (value === true) node.setAttribute(name, "");
      else if (value !== false && value != null) node.setAttribute(name, value);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  // Text nodes, and links only to Regard itself (a survey's one-tap ratings, the portal):
  // any other address stays plain text, so a chat never turns into a link to somewhere else.
  var ORIGIN = new URL(BASE).origin;
  function linked(text) {
    return text.split(/(https?:\/\/[^\s<>"]+)/).map(function (part, i) {
      if (i % 2 === 0) return document.createTextNode(part);
      var url;
      try { url = new URL(part); } catch (e) { return document.createTextNode(part); }
      if (url.origin !== ORIGIN) return document.createTextNode(part);
      return el("a", { href: url.href, target: "_blank", rel: "noopener", text: part });
    });
  }

  var uid = 0;
  function field(label, control) {
    control.id = "regard-f" + (++uid);
    return el("div", { class: "field" }, [el("label", { for: control.id, text: label }), control]);
  }

  function api(method, path, body) {
    var headers = { "Accept": "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (state.token) headers["Authorization"] = "Bearer " + state.token;
    return fetch(BASE + path, {
      method: method, headers: headers, credentials: "omit", mode: "cors",
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(function (response) {
      if (response.status === 204) return {};
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.ok) return data;
        var error = new Error(data.error || "Something went wrong (" + response.status + ").");
        error.status = response.status;
        throw error;
      });
    }, function () {
      throw new Error("We could not reach the chat. Check your connection and try again.");
    });
  }

  // --- the DOM --------------------------------------------------------------------------------

  var host = el("div", { id: "regard-chat" });
  host.style.display = "none"; // shown once the stylesheet is in, so nothing flashes unstyled
  var root = host.attachShadow({ mode: "open" });
  var sheet = el("link", { rel: "stylesheet", href: CSS });
  sheet.addEventListener("load", function () { host.style.display = ""; });
  sheet.addEventListener("error", function () { host.style.display = ""; });

  var launcher = el("button", { type: "button", class: "launcher", "aria-expanded": "false",
    "aria-controls": "regard-panel" }, [el("span", { "aria-hidden": "true", class: "bubble" }),
    el("span", { class: "launcher-text", text: "Chat with us" })]);
  var badge = el("span", { class: "badge", hidden: true });
  launcher.appendChild(badge);

  var heading = el("h2", { id: "regard-title", text: "Chat with us" });
  var subtitle = el("p", { class: "subtitle", text: "" });
  var close = el("button", { type: "button", class: "close", "aria-label": "Close chat" },
    [el("span", { "aria-hidden": "true", text: "\u00d7" })]);
  var status = el("p", { class: "status", role: "status" });
  var alert = el("p", { class: "alert", role: "alert", hidden: true });
  var body = el("div", { class: "body" });
  var panel = el("section", { id: "regard-panel", class: "panel", role: "dialog",
    "aria-modal": "false", "aria-labelledby": "regard-title", hidden: true }, [
    el("header", {}, [el("div", {}, [heading, subtitle]), close]), status, alert, body]);
  root.appendChild(sheet);
  root.appendChild(launcher);
  root.appendChild(panel);

  function say(text) { status.textContent = text || ""; }
  function fail(error) {
    alert.textContent = error ? error.message || String(error) : "";
    alert.hidden = !error;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  // --- opening and closing --------------------------------------------------------------------

  function openPanel() {
    state.open = true;
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    launcher.hidden = true;
    state.unread = 0;
    showUnread();
    if (!state.started) {
      say("Connecting\u2026");
      (state.starting || start()).then(function () { say(""); focusFirst(); }, function (error) {
        say(""); fail(error);
        close.focus();
      });
    } else {
      focusFirst();
      scrollDown();
    }
  }

  function closePanel() {
    state.open = false;
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  function focusFirst() {
    // In a chat, the message box (name and e-mail are optional); elsewhere the first field.
    var target = text && body.contains(text) ? text : body.querySelector("input, textarea, button");
    if (target) target.focus();
  }

  launcher.addEventListener("click", openPanel);
  close.addEventListener("click", closePanel);
  panel.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { e.preventDefault(); closePanel(); }
  });

  function showUnread() {
    badge.hidden = !state.unread;
    badge.textContent = state.unread ? String(state.unread) : "";
    launcher.setAttribute("aria-label", state.unread
      ? "Chat with us, " + state.unread + " new " + (state.unread === 1 ? "message" : "messages")
      : "Chat with us");
  }

  // --- starting or resuming a chat ------------------------------------------------------------

  // Without `extra`: start or resume and show the right view; with it: tell who the visitor is.
  function start(extra) {
    var payload = {};
    if (state.token) payload.token = state.token;
    if (IDENTITY) payload.identity = IDENTITY;
    Object.keys(extra || {}).forEach(function (k) { if (extra[k]) payload[k] = extra[k]; });
    return api("POST", "/chat/start", payload).then(function (data) {
      if (IDENTITY && payload.token && !data.known && !data.conversation && !extra) {
        save(""); // an anonymous session with nothing in it, and now they are signed in
        return start();
      }
      save(data.token, data.known);
      state.started = true;
      state.online = data.online !== false;
      state.known = !!data.known;
      state.name = (data.visitor && data.visitor.name) || state.name;
      state.team = (data.team && data.team.name) || "";
      state.stream = data.stream;
      if (!extra) show(data);
      return data;
    });
  }

  function show(data) {
    heading.textContent = state.team ? "Chat with " + state.team : "Chat with us";
    var history = data.messages || [];
    if (state.online || history.length) {
      subtitle.textContent = state.online ? "We usually answer within minutes." : "";
      showChat(history);
      if (data.conversation) listen();
    } else {
      subtitle.textContent = "No one is here right now.";
      showOffline();
    }
  }

  // --- the chat view --------------------------------------------------------------------------

  var list, greeting, typingLine, text, intro, nameInput, emailInput, transcriptBox;

  function showChat(history) {
    clear(body);
    list = el("ol", { class: "messages", role: "log", "aria-live": "polite",
      "aria-label": "Messages", tabindex: "0" });
    typingLine = el("p", { class: "typing", "aria-live": "polite" });
    text = el("textarea", { rows: "2", maxlength: "5000",
      placeholder: "Write a message\u2026", "aria-describedby": "regard-hint" });
    var send = el("button", { type: "submit", class: "primary", text: "Send" });
    var composer = el("form", { class: "composer" }, [
      field("Your message", text),
      el("p", { id: "regard-hint", class: "hint", text: "Enter sends, Shift+Enter adds a line." }),
      send]);
    intro = null;
    if (!state.known && !history.length) {
      nameInput = el("input", { type: "text", autocomplete: "name", maxlength: "100" });
      emailInput = el("input", { type: "email", autocomplete: "email", maxlength: "254" });
      if (state.name) nameInput.value = state.name;
      intro = el("fieldset", { class: "intro" }, [
        el("legend", { text: "So we know who we are talking to (optional)" }),
        field("Your name", nameInput),
        field("Your e-mail, to answer you if you leave", emailInput)]);
    }
    var transcript = el("button", { type: "button", class: "link", text: "E-mail me this chat" });
    transcriptBox = el("div", { class: "transcript" }, [transcript]);
    greeting = el("p", { class: "greeting", text: state.online
      ? "Hello! Ask us anything, and a person from our team will answer here."
      : "Nobody is here right now; we will see your messages soon." });
    body.appendChild(greeting);
    body.appendChild(list);
    body.appendChild(typingLine);
    if (intro) body.appendChild(intro);
    body.appendChild(composer);
    body.appendChild(transcriptBox);
    state.shown = {};
    history.forEach(function (message) { addMessage(message, true); });

    text.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        composer.requestSubmit ? composer.requestSubmit() : sendMessage();
      }
    });
    text.addEventListener("input", typed);
    composer.addEventListener("submit", function (e) { e.preventDefault(); sendMessage(); });
    transcript.addEventListener("click", askTranscript);
  }

  function addMessage(message, old) {
    if (!message || !message.id || state.shown[message.id] || !list) return;
    state.shown[message.id] = true;
    state.lastId = Math.max(state.lastId, message.id);
    var out = message.direction === "out";
    var author = message.author || {};
    var item = el("li", { class: out ? "out" : "in", "data-id": String(message.id) });
    if (out) {
      item.appendChild(el("span", { class: "avatar", "aria-hidden": "true",
        text: author.initials || "?" }));
    }
    var when = message.at ? new Date(message.at) : null;
    var meta = el("p", { class: "meta" }, [
      el("span", { class: "who", text: out ? author.name || state.team || "Support" : "You" }),
      when && !isNaN(when) ? el("time", { datetime: message.at,
        text: when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) }) : null]);
    item.appendChild(el("div", { class: "bubble-text" },
      [meta, el("p", { class: "text" }, linked(message.text || ""))]));
    // keep the order by id, whichever way the message came (POST answer, stream, catch-up)
    var next = null;
    Array.prototype.some.call(list.children, function (li) {
      if (Number(li.getAttribute("data-id")) > message.id) { next = li; return true; }
      return false;
    });
    list.insertBefore(item, next);
    greeting.hidden = true;
    if (out) {
      showTyping(null);
      if (!state.open && !old) { state.unread += 1; showUnread(); }
    }
    scrollDown();
  }

  function scrollDown() { if (list) list.scrollTop = list.scrollHeight; }

  var sending = Promise.resolve(); // one message after the other, in the order written

  function sendMessage() {
    var value = text.value.trim();
    if (!value) { text.focus(); return; }
    fail(null);
    var who = null, fields = intro;
    if (fields && (nameInput.value.trim() || emailInput.value.trim())) {
      if (!emailInput.checkValidity()) {
        fail(new Error("That e-mail address does not look right."));
        emailInput.focus();
        return;
      }
      who = { name: nameInput.value.trim(), email: emailInput.value.trim() };
    }
    if (fields) { fields.remove(); intro = null; } // asked once, before the first message
    text.value = "";
    stopTyping();
    sending = sending.then(function () {
      // No message yet, so nothing is lost: a fresh session that knows their name and address.
      if (who) { state.email = who.email; save(""); return start(who); }
      if (!state.token) return start({});
    }).then(function () {
      return api("POST", "/chat/messages", { text: value });
    }).then(function (message) {
      addMessage(message);
      listen();
    }, function (error) {
      if (!text.value) text.value = value; // nothing lost
      if (who && !state.token && fields) { intro = fields; body.insertBefore(fields, text.form); }
      fail(error);
    });
  }

  // --- typing, both ways ----------------------------------------------------------------------

  var typingSent = 0, typingTimer = null, theirTimer = null;

  function typed() {
    if (!state.token || !text.value.trim()) return;
    var now = Date.now();
    if (now - typingSent > TYPING_EVERY) {
      typingSent = now;
      api("POST", "/chat/typing", { typing: true }).catch(function () {});
    }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(stopTyping, TYPING_IDLE);
  }

  function stopTyping() {
    clearTimeout(typingTimer);
    if (!typingSent) return;
    typingSent = 0;
    api("POST", "/chat/typing", { typing: false }).catch(function () {});
  }

  function showTyping(author) {
    clearTimeout(theirTimer);
    if (!typingLine) return;
    typingLine.textContent = author ? (author.name || "Someone") + " is typing\u2026" : "";
    if (author) theirTimer = setTimeout(function () { showTyping(null); }, AGENT_TYPING_SHOWN);
  }

  // --- the stream -----------------------------------------------------------------------------

  function listen() {
    if (state.source || !state.stream || !state.token || !window.EventSource) return;
    var url = state.stream + (state.stream.indexOf("?") < 0 ? "?" : "&") +
      "token=" + encodeURIComponent(state.token) + "&after=" + state.lastId;
    var source = new EventSource(url);
    state.source = source;
    source.addEventListener("ready", function () {
      state.retry = 1000;
      clearTimeout(state.slow);
      say("");
    });
    source.addEventListener("message", function (e) {
      try { addMessage(JSON.parse(e.data)); } catch (err) { /* not for us */ }
    });
    source.addEventListener("typing", function (e) {
      try {
        var data = JSON.parse(e.data);
        showTyping(data.typing ? data.author || {} : null);
      } catch (err) { /* not for us */ }
    });
    source.addEventListener("error", function () {
      clearTimeout(state.slow);
      if (source.readyState !== EventSource.CLOSED) { // the browser retries by itself
        state.slow = setTimeout(function () { say("Reconnecting\u2026"); }, 3000);
        return;
      }
      // The browser gave up (the server refused or went away): catch up, then listen again.
      state.source = null;
      say("Reconnecting\u2026");
      setTimeout(catchUp, state.retry);
      state.retry = Math.min(state.retry * 2, 30000);
    });
  }

  function catchUp() {
    api("GET", "/chat/messages?after=" + state.lastId).then(function (data) {
      (data.messages || []).forEach(function (message) { addMessage(message); });
      listen();
    }, function (error) {
      if (error.status === 401 || error.status === 403) { // the token expired: start afresh
        save("");
        state.started = false;
        if (state.open) start().catch(fail);
        return;
      }
      setTimeout(catchUp, state.retry);
      state.retry = Math.min(state.retry * 2, 30000);
    });
  }

  // --- transcript -----------------------------------------------------------------------------

  function askTranscript() {
    if (state.known || state.email) return sendTranscript({});
    var input = el("input", { type: "email", autocomplete: "email", required: true,
      maxlength: "254" });
    var form = el("form", { class: "inline" }, [field("Send this chat to", input),
      el("button", { type: "submit", class: "primary", text: "Send it" })]);
    clear(transcriptBox);
    transcriptBox.appendChild(form);
    input.focus();
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      state.email = input.value.trim();
      sendTranscript({ email: state.email });
    });
  }

  function sendTranscript(payload) {
    fail(null);
    return api("POST", "/chat/transcript", payload).then(function (data) {
      clear(transcriptBox);
      transcriptBox.appendChild(el("p", { class: "done", tabindex: "-1",
        text: "We have e-mailed this chat to " + data.sent_to + "." }));
      transcriptBox.firstChild.focus();
    }, fail);
  }

  // --- offline: the chat becomes an e-mail conversation ---------------------------------------

  function showOffline() {
    clear(body);
    var email = el("input", { type: "email", autocomplete: "email", required: true,
      maxlength: "254" });
    var name = el("input", { type: "text", autocomplete: "name", maxlength: "100" });
    var message = el("textarea", { rows: "4", required: true, maxlength: "5000" });
    if (state.name) name.value = state.name;
    var form = el("form", { class: "offline" }, [
      el("p", { text: "Leave a message and we will answer by e-mail." }),
      field("Your e-mail", email), field("Your name (optional)", name),
      field("Your message", message),
      el("button", { type: "submit", class: "primary", text: "Send message" })]);
    body.appendChild(form);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      fail(null);
      api("POST", "/chat/offline", {
        email: email.value.trim(), name: name.value.trim(), text: message.value.trim(),
      }).then(function () {
        clear(body);
        var done = el("p", { class: "done", tabindex: "-1",
          text: "Thank you. We'll answer by e-mail at " + email.value.trim() + "." });
        body.appendChild(done);
        done.focus();
      }, fail);
    });
  }

  function mount() {
    document.body.appendChild(host);
    // A reload in the middle of a chat picks it up again, quietly, so replies are not missed.
    if (state.token) {
      state.starting = start().catch(function (error) {
        state.starting = null;
        throw error;
      });
      state.starting.catch(function () {});
    }
  }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
