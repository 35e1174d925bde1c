/*
 * The join page: the name goes over the room's socket, and the page becomes the room.
 *
 * The socket opens as soon as the page has loaded, while the person reads and types
 * (`?join=1`, docs/protocol.md). "Join" sends the name as the `join` command; its answer
 * is the participant, then the room's snapshot, and the page puts the room (waiting in
 * its <template> elements) in place of the form, then loads the room's scripts (fetched
 * ahead), which take over the same socket. No second page load. Without a socket (not
 * open yet, blocked, or lost while joining) the form posts as it does without script,
 * and the server answers with the room.
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

  var socket = null;
  var retryMs = 1000;
  var joining = false; // a `join` sent, not yet answered
  var joined = false; // the room's snapshot came: the page is the room
  var handedOver = false;
  var heldFrames = []; // what came after the snapshot, until the room's script takes over

  function open() {
    if (joined || (socket && socket.readyState <= WebSocket.OPEN)) return;
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var url = scheme + window.location.host + config.ws_path + "?lang=" + encodeURIComponent(config.language) + "&join=1";
    try {
      socket = new WebSocket(url);
    } catch (error) {
      socket = null;
      return;
    }
    socket.addEventListener("open", function () {
      retryMs = 1000;
      // "Join" now goes over the socket (and a page's tests wait for it).
      form.setAttribute("data-socket-open", "");
    });
    socket.addEventListener("message", function (message) {
      var frame;
      try { frame = JSON.parse(message.data); } catch (error) { return; }
      onFrame(frame);
    });
    socket.addEventListener("close", function (event) {
      if (handedOver) return;
      socket = null;
      form.removeAttribute("data-socket-open");
      if (joined) return; // the room's script opens its own
      if (joining) {
        // Lost on the way: the form asks again. A join that went through makes the
        // server answer with the room as the same participant (one phone, one join).
        joining = false;
        form.submit();
        return;
      }
      // 4403 and 4404: no room to join here; the form will say why when sent.
      if (event.code === 4403 || event.code === 4404) return;
      window.setTimeout(open, retryMs + Math.random() * retryMs * 0.3);
      retryMs = Math.min(15000, retryMs * 2);
    });
  }

  function onFrame(frame) {
    if (joined) {
      if (!handedOver) heldFrames.push(frame);
      return;
    }
    if (frame.type === "snapshot") {
      enterRoom(frame.data);
      return;
    }
    if (frame.type === "error" && joining) {
      joining = false;
      setBusy(false);
      showRefusal(frame.code, frame.message);
    }
  }

  function setBusy(busy) {
    button.disabled = busy;
    form.setAttribute("aria-busy", busy ? "true" : "false");
  }

  function clearRefusal() {
    var shown = form.querySelector("[data-join-refusal]");
    if (shown) shown.remove();
    var fieldBox = field.closest(".field");
    if (fieldBox) fieldBox.classList.remove("field-invalid");
    field.removeAttribute("aria-invalid");
    field.setAttribute("aria-describedby", "id_display_name_helptext");
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

  form.addEventListener("submit", function (event) {
    if (!socket || socket.readyState !== WebSocket.OPEN || !bundleUrl) return; // the form posts
    event.preventDefault();
    if (joining) return;
    joining = true;
    setBusy(true);
    clearRefusal();
    socket.send(JSON.stringify({ type: "join", request_id: "join", display_name: field.value }));
  });

  function enterRoom(snapshot) {
    joined = true;
    joining = false;
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

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", open);
  else open();
})();
