/*
 * The join page: the name goes over the room's socket, and the page becomes the room.
 *
 * The socket opens as soon as the page has loaded, while the person reads and types
 * (`?join=1`, docs/protocol.md). "Join" sends the name as the `join` command; its answer
 * is the participant, then the room's snapshot, and the page puts the room (waiting in
 * its <template> elements) in place of the form, then loads the room's scripts (fetched
 * ahead), which take over the same socket. No second page load. A "Join" while the
 * socket is still opening waits for it. Without a socket (none opening, blocked, or lost
 * while joining) the form posts as it does without script, and the server answers with
 * the room. The page carries this script inline at its end, so the socket opens as soon
 * as the page is read, a round trip sooner than a script file would; a "Join" tapped
 * before that (the button shows before the page has all arrived) is held for it by
 * join_early.js, in the page's head.
 *
 * A socket can die without closing (a phone's Wi-Fi gone without a goodbye): it is
 * watched as the room's script watches its own, by ping and pong with the same timings
 * (the page's config). A `join` that gets no answer in that time is sent again over a
 * new socket, and if that one fails too, by the form. The server makes one phone join
 * once however often it asks, so the name is never lost and the join never doubled.
 *
 * A socket that waits too long for its `join` is closed by the server (4408, after
 * SAMSKAB_JOIN_WAIT_SECONDS: a page forgotten in a tab holds none). The page then rests
 * until the person comes back to the form, and opens a new one as they do.
 */
(function () {
  "use strict";

  var form = document.querySelector("[data-join-form]");
  var configNode = document.getElementById("room-config");
  var thisScript = document.currentScript;
  if (!form || !configNode || !window.WebSocket || !window.JSON) return;
  var config = JSON.parse(configNode.textContent);
  var field = form.querySelector("[name=display_name]");
  var button = form.querySelector("button[type=submit]");
  var status = document.querySelector("[data-join-status]");
  var bundleUrl = thisScript ? thisScript.getAttribute("data-room-bundle") : null;
  var HEARTBEAT_MS = config.heartbeat_ms;
  var PONG_TIMEOUT_MS = config.pong_timeout_ms;

  var socket = null;
  var retryMs = 1000;
  var retryTimer = null;
  var heartbeatTimer = null;
  var answerTimer = null; // armed while an answer is due; firing means the socket is dead
  var joining = false; // a `join` sent, not yet answered
  var joinSockets = 0; // sockets the present `join` was given to
  var resting = false; // the server closed the socket that waited too long (4408)
  var joined = false; // the room's snapshot came: the page is the room
  var handedOver = false;
  var heldFrames = []; // what came after the snapshot, until the room's script takes over

  function open() {
    if (joined || (socket && socket.readyState <= WebSocket.OPEN)) return;
    window.clearTimeout(retryTimer);
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var url = scheme + window.location.host + config.ws_path + "?lang=" + encodeURIComponent(config.language) + "&join=1";
    var opened;
    try {
      opened = socket = new WebSocket(url);
    } catch (error) {
      socket = null;
      if (joining) byForm();
      return;
    }
    // Each handler asks whether its socket is still the page's: one given up as dead
    // may still report, late, what it never delivered in time.
    opened.addEventListener("open", function () {
      if (opened !== socket) return;
      retryMs = 1000;
      // "Join" now goes over the socket (and a page's tests wait for it).
      form.setAttribute("data-socket-open", "");
      heartbeat();
      if (joining) sendJoin(); // again, after the socket it first went on was lost
    });
    opened.addEventListener("message", function (message) {
      if (opened !== socket) return;
      // Whatever arrives shows the socket is alive.
      window.clearTimeout(answerTimer);
      var frame;
      try { frame = JSON.parse(message.data); } catch (error) { return; }
      onFrame(frame);
    });
    opened.addEventListener("close", function (event) {
      if (handedOver || opened !== socket) return;
      lost(event.code);
    });
  }

  // The page's socket is gone (closed, or given up as dead: code null).
  function lost(code) {
    socket = null;
    window.clearTimeout(heartbeatTimer);
    window.clearTimeout(answerTimer);
    form.removeAttribute("data-socket-open");
    if (joined) return; // the room's script opens its own
    if (joining) {
      // Lost on the way. A join that went through is answered as the same participant
      // over a new socket or by the form (one phone, one join): first a new socket, the
      // page kept, if this one died silently; else the form, which works where sockets
      // do not.
      // 4408: the server's wait ran out as the name was on its way; a new socket takes it.
      if ((code === null || code === 4408) && joinSockets < 2) {
        joinSockets += 1;
        showRetrying();
        open();
        // Opening, too, is answered in that time (a handshake into a dead network is not).
        if (socket) expectAnswer();
      } else {
        byForm();
      }
      return;
    }
    // 4403 and 4404: no room to join here; the form will say why when sent.
    if (code === 4403 || code === 4404) return;
    // Waited too long for the person: a new socket when they come back (wake).
    if (code === 4408) {
      resting = true;
      return;
    }
    retryTimer = window.setTimeout(open, retryMs + Math.random() * retryMs * 0.3);
    retryMs = Math.min(15000, retryMs * 2);
  }

  function byForm() {
    joining = false;
    form.submit();
  }

  // Silently dead: nothing came in time. Let the socket go without waiting for its close,
  // which on a dead connection comes only when TCP gives up.
  function dead() {
    var gone = socket;
    lost(null);
    if (gone) {
      try { gone.close(); } catch (error) { /* closing already */ }
    }
  }

  function expectAnswer() {
    window.clearTimeout(answerTimer);
    answerTimer = window.setTimeout(dead, PONG_TIMEOUT_MS);
  }

  function heartbeat() {
    window.clearTimeout(heartbeatTimer);
    heartbeatTimer = window.setTimeout(probe, HEARTBEAT_MS);
  }

  function probe() {
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    socket.send(JSON.stringify({ type: "ping" }));
    expectAnswer();
  }

  function sendJoin() {
    socket.send(JSON.stringify({ type: "join", request_id: "join", display_name: field.value }));
    // Answered as a ping is, or the socket is dead (a join takes well under a second).
    expectAnswer();
  }

  function onFrame(frame) {
    if (joined) {
      if (!handedOver) heldFrames.push(frame);
      return;
    }
    if (frame.type === "pong") {
      heartbeat();
      return;
    }
    if (frame.type === "snapshot") {
      enterRoom(frame.data);
      return;
    }
    // The wait ran out as the name was on its way: the close that follows sends it again.
    if (frame.type === "error" && frame.code === "join_timeout" && joining) return;
    if (frame.type === "error" && joining) {
      joining = false;
      joinSockets = 0;
      setBusy(false);
      showRefusal(frame.code, frame.message);
    }
  }

  function setBusy(busy) {
    button.disabled = busy;
    form.setAttribute("aria-busy", busy ? "true" : "false");
  }

  function clearRefusal() {
    form.querySelectorAll("[data-join-refusal], [data-join-retrying]").forEach(function (node) { node.remove(); });
    var fieldBox = field.closest(".field");
    if (fieldBox) fieldBox.classList.remove("field-invalid");
    field.removeAttribute("aria-invalid");
    field.setAttribute("aria-describedby", "id_display_name_helptext");
  }

  // Said while the join goes again over a new socket (the page's own words, translated).
  function showRetrying() {
    var shown = form.querySelector("[data-join-retrying]");
    if (shown || !status) return;
    var node = document.createElement("p");
    node.className = "help";
    node.setAttribute("role", "status");
    node.setAttribute("data-join-retrying", "");
    node.textContent = status.getAttribute("data-retrying-message");
    form.insertBefore(node, button);
  }

  function showRefusal(code, message) {
    clearRefusal();
    // Written here as the server writes a refused form (workshops/join_form.html).
    var node = document.createElement("p");
    node.setAttribute("role", "alert");
    node.setAttribute("data-join-refusal", "");
    node.textContent = message;
    if (code === "invalid") {
      node.className = "field-error";
      node.id = "id_display_name_error";
      field.closest(".field").classList.add("field-invalid");
      field.insertAdjacentElement("afterend", node);
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("aria-describedby", "id_display_name_helptext id_display_name_error");
    } else {
      node.className = "form-error";
      form.insertBefore(node, form.firstChild);
    }
    field.focus();
  }

  // The person is back at the form (focus, typing, "Join"): a socket that rested is
  // opened again, and what they typed stays where it is.
  function wake() {
    if (!resting || joined) return;
    resting = false;
    open();
  }
  form.addEventListener("focusin", wake);
  form.addEventListener("input", wake);

  // "Join": true if it goes over the socket, false if the form must post.
  function requestJoin() {
    if (!bundleUrl) return false;
    wake();
    var ready = socket && socket.readyState === WebSocket.OPEN;
    // A socket still opening is waited for, in the time an answer is given: on a slow
    // network it is a round trip or two from open, and the form would cost as many and
    // then load the room as a second page. With none (refused, or between two tries)
    // the form posts.
    if (!ready && !socket) return false;
    if (joining) return true;
    joining = true;
    joinSockets = 1;
    setBusy(true);
    clearRefusal();
    if (ready) sendJoin();
    else expectAnswer(); // sent once it opens
    return true;
  }

  form.addEventListener("submit", function (event) {
    if (requestJoin()) event.preventDefault();
  });

  function enterRoom(snapshot) {
    joined = true;
    joining = false;
    // The room's script watches the socket from now on.
    window.clearTimeout(heartbeatTimer);
    window.clearTimeout(answerTimer);
    // The room's scripts read the snapshot from the page, as on every room page.
    document.getElementById("room-snapshot").textContent = JSON.stringify(snapshot);
    var name = snapshot.you.display_name;
    var header = document.querySelector("template[data-join-room=header]");
    var content = document.querySelector("template[data-join-room=content]");
    var joinPage = document.querySelector("[data-join-part]");
    var siteHeader = document.querySelector("header.site-header");
    siteHeader.replaceWith(header.content.cloneNode(true));
    joinPage.replaceWith(content.content.cloneNode(true));
    header.remove();
    content.remove();
    document.body.classList.add("room", "room-citizen");
    var rename = document.getElementById("rename-name");
    if (rename) rename.value = name;
    document.querySelectorAll("[data-your-name]").forEach(function (node) { node.textContent = name; });
    // Focus where the room begins, and say what happened.
    var title = document.querySelector("[data-workshop-title]");
    if (title) title.focus();
    if (status) {
      // split/join, not replace: a name may hold "$&" or "$'", which replace would expand.
      status.textContent = status.getAttribute("data-joined-message").split("{name}").join(name);
    }
    window.SamskabJoin = { adopt: adopt };
    var script = document.createElement("script");
    script.src = bundleUrl;
    document.body.appendChild(script);
  }

  // The room's script takes the socket over, with what came on it since the snapshot.
  function adopt() {
    if (handedOver || !socket || socket.readyState !== WebSocket.OPEN) return null;
    handedOver = true;
    var frames = heldFrames;
    heldFrames = [];
    return { socket: socket, frames: frames };
  }

  // Back from the lock screen, a socket may have died meanwhile: ask it at once.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "visible" || joined) return;
    if (socket && socket.readyState === WebSocket.OPEN) probe();
    else if (resting) wake();
    else if (!socket) open();
  });

  // The page's end: everything this needs has been read.
  window.SamskabJoinStarted = true;
  open();
  // "Join" tapped before the page had all arrived (join_early.js held it).
  var early = window.SamskabJoinEarly;
  window.SamskabJoinEarly = null;
  if (early && !requestJoin()) form.submit();
})();
