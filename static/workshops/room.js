/*
 * The live room on every screen: citizen phone, facilitator console, projector, observer.
 *
 * The page is rendered by the server and works without this script. With it, the
 * page opens the room's WebSocket, replaces its state with each snapshot the server
 * sends (on every connect and reconnect) and applies events on top. Ideas a citizen
 * posts go into an outbox kept in localStorage first, and leave it only when the
 * server has acknowledged them, over the WebSocket or, when that is blocked, over
 * plain HTTP. Each carries a key made here, so a resend never makes a duplicate.
 */
(function () {
  "use strict";

  var configNode = document.getElementById("room-config");
  if (!configNode) return;
  var config = JSON.parse(configNode.textContent);
  var initial = JSON.parse(document.getElementById("room-snapshot").textContent);
  // Joining answers the join form with the room itself (one round trip less on a slow
  // network): show the room's own address, so a reload or a shared link opens the room.
  if (config.page_url && window.location.pathname !== config.page_url && window.history.replaceState) {
    window.history.replaceState(window.history.state, "", config.page_url);
  }
  var dom = window.SamskabDom;
  var t = dom.t;
  var nt = dom.nt;
  var fmt = dom.fmt;
  var $ = dom.$;
  var $all = dom.$all;

  // A ping this often; no pong within PONG_TIMEOUT_MS and the socket is dead (the page's
  // config carries both, for the join page's script too: workshops/views.py).
  var HEARTBEAT_MS = config.heartbeat_ms;
  var PONG_TIMEOUT_MS = config.pong_timeout_ms;
  var RETRY_MIN_MS = 1000;
  var RETRY_MAX_MS = 15000;
  var OUTBOX_KEY = "samskab.outbox." + config.code;

  var state = {
    workshop: null,
    you: initial.you,
    ideas: new Map(),
    participantCount: initial.participant_count,
    clockOffset: 0,
  };

  // What app scripts (grouping, voting, moderation) hook into: see SamskabRoom below.
  var listeners = {};
  var ideaDecorators = [];
  function on(type, handler) { (listeners[type] = listeners[type] || []).push(handler); }
  function emit(type, data) { (listeners[type] || []).forEach(function (handler) { guarded(handler, data); }); }
  // One app's fault must not cost the room the others' parts, its wall or its socket: the
  // error is reported as uncaught, after the others have run.
  function guarded(handler, a, b) {
    try {
      handler(a, b);
    } catch (error) {
      window.setTimeout(function () { throw error; }, 0);
    }
  }

  // ---- announcements for screen readers ----------------------------------------------

  var announcer = document.createElement("p");
  announcer.className = "visually-hidden";
  announcer.setAttribute("aria-live", "polite");
  announcer.setAttribute("data-announcer", "");
  document.body.appendChild(announcer);
  function announce(text) {
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }
  var unannouncedIdeas = 0;
  var ideaAnnounceTimer = null;
  function announceNewIdea() {
    unannouncedIdeas += 1;
    if (ideaAnnounceTimer) return;
    ideaAnnounceTimer = window.setTimeout(function () {
      announce(fmt(nt("%s new idea on the wall", "%s new ideas on the wall", unannouncedIdeas), [unannouncedIdeas]));
      unannouncedIdeas = 0;
      ideaAnnounceTimer = null;
    }, 4000);
  }

  // ---- workshop, phase and timer -----------------------------------------------------

  function canEditOwnIdeas() {
    return config.role === "citizen" && state.workshop && state.workshop.phase === "ideate";
  }

  var PHASE_NOTES = {
    lobby: t("Welcome! The facilitator will open the room for ideas soon."),
    closed: t("This workshop has closed. Thank you for taking part."),
  };

  // The phase the console's form was rendered with. A facilitator may pick another
  // before this script has even started (a slow phone, a busy laptop); only a real
  // phase change may overwrite that pick, never the first snapshot.
  var phaseShownInForm = initial.workshop.phase;

  function applyWorkshop(workshop, serverTime) {
    var previous = state.workshop;
    if (previous && workshop.revision < previous.revision) return;
    if (serverTime) state.clockOffset = Date.parse(serverTime) - Date.now();
    state.workshop = workshop;
    document.body.setAttribute("data-phase", workshop.phase);
    $all("[data-phase-label]").forEach(function (node) { node.textContent = workshop.phase_label; });
    $all("[data-workshop-title]").forEach(function (node) { node.textContent = workshop.title; });
    $all("[data-workshop-question]").forEach(function (node) { node.textContent = workshop.question; });
    var compose = $("[data-compose]");
    if (compose) compose.hidden = workshop.phase !== "ideate";
    // A closed room is over: there is no name left to change.
    var rename = $("[data-rename]");
    if (rename) rename.hidden = workshop.phase === "closed";
    var note = $("[data-phase-note]");
    if (note) {
      note.textContent = PHASE_NOTES[workshop.phase] || "";
      note.hidden = !PHASE_NOTES[workshop.phase];
    }
    // Follow the room's phase only when it changes: a snapshot on (re)connect must not undo
    // a phase the facilitator has picked but not yet submitted.
    var phaseSelect = $("[data-phase-form] select[name=phase]");
    if (phaseSelect && phaseShownInForm !== workshop.phase) phaseSelect.value = workshop.phase;
    phaseShownInForm = workshop.phase;
    renderTimer();
    if (previous && previous.phase !== workshop.phase) {
      announce(fmt(t("The room moved to the phase: %s"), [workshop.phase_label]));
      renderAllIdeas();
    }
  }

  function renderTimer() {
    var endsAt = state.workshop && state.workshop.ends_at ? Date.parse(state.workshop.ends_at) : null;
    $all("[data-timer]").forEach(function (node) {
      if (!endsAt) { node.hidden = true; node.textContent = ""; return; }
      var left = Math.max(0, Math.round((endsAt - (Date.now() + state.clockOffset)) / 1000));
      node.hidden = false;
      if (left === 0) {
        node.textContent = t("Time is up");
      } else {
        var minutes = Math.floor(left / 60);
        var seconds = left % 60;
        node.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
        node.setAttribute("aria-label", fmt(t("%(minutes)s and %(seconds)s left"), {
          minutes: fmt(nt("%s minute", "%s minutes", minutes), [minutes]),
          seconds: fmt(nt("%s second", "%s seconds", seconds), [seconds]),
        }, true));
      }
    });
  }
  window.setInterval(renderTimer, 250);

  // A snapshot's count is taken as it is; an event's only if it is higher than the count
  // held: a join's event can arrive after a snapshot that already counted it, and a room's
  // count only grows (docs/protocol.md, *Events*).
  function setParticipantCount(count, fromEvent) {
    if (fromEvent && !(count > state.participantCount)) return;
    state.participantCount = count;
    $all("[data-participant-count]").forEach(function (node) { node.textContent = String(count); });
  }

  // ---- the wall of ideas ----------------------------------------------------------------

  var list = $("[data-idea-list]");
  // Phones, the projector and observers put the newest idea on top, where eyes are; the
  // console keeps the order the ideas came in.
  var newestFirst = config.role !== "facilitator";

  function ideaNode(idea) {
    var item = document.createElement("li");
    item.className = "idea";
    item.setAttribute("data-idea-id", String(idea.id));
    var mine = state.you && state.you.participant_id !== null && idea.author_id === state.you.participant_id;
    if (mine) item.classList.add("idea-mine");
    var text = document.createElement("p");
    text.className = "idea-text";
    text.id = "idea-" + idea.id + "-text";
    text.textContent = idea.text;
    item.appendChild(text);
    var meta = document.createElement("p");
    meta.className = "idea-meta";
    meta.textContent = idea.author_name + (idea.edited ? " · " + t("edited") : "") + (mine ? " · " + t("your idea") : "");
    item.appendChild(meta);
    if (mine && canEditOwnIdeas()) item.appendChild(ownIdeaActions(idea));
    ideaDecorators.forEach(function (decorate) { guarded(decorate, idea, item); });
    return item;
  }

  function ownIdeaActions(idea) {
    var actions = document.createElement("div");
    actions.className = "idea-actions";
    var edit = document.createElement("button");
    edit.type = "button";
    edit.textContent = t("Edit");
    edit.setAttribute("aria-label", t("Edit your idea"));
    // Several of one's own ideas each have these buttons: the idea's words tell them apart.
    edit.setAttribute("aria-describedby", "idea-" + idea.id + "-text");
    edit.addEventListener("click", function () { openEditor(idea, actions); });
    var withdraw = document.createElement("button");
    withdraw.type = "button";
    withdraw.className = "button-secondary";
    withdraw.textContent = t("Withdraw");
    withdraw.setAttribute("aria-label", t("Withdraw your idea"));
    withdraw.setAttribute("aria-describedby", "idea-" + idea.id + "-text");
    withdraw.addEventListener("click", function () {
      if (!window.confirm(t("Withdraw this idea from the wall?"))) return;
      request({ type: "idea.withdraw", idea_id: idea.id }, idea.id + "/withdraw");
    });
    actions.appendChild(edit);
    actions.appendChild(withdraw);
    return actions;
  }

  function openEditor(idea, actions) {
    var form = document.createElement("form");
    form.className = "idea-editor";
    var id = "edit-idea-" + idea.id;
    var label = document.createElement("label");
    label.setAttribute("for", id);
    label.textContent = t("Your idea");
    var box = document.createElement("textarea");
    box.id = id;
    box.rows = 3;
    box.maxLength = 500;
    box.value = idea.text;
    var save = document.createElement("button");
    save.type = "submit";
    save.textContent = t("Save");
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "button-secondary";
    cancel.textContent = t("Cancel");
    form.appendChild(label);
    form.appendChild(box);
    form.appendChild(save);
    form.appendChild(cancel);
    actions.replaceWith(form);
    box.focus();
    cancel.addEventListener("click", function () { form.replaceWith(ownIdeaActions(idea)); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      request({ type: "idea.edit", idea_id: idea.id, text: box.value }, idea.id + "/edit").then(function (reply) {
        if (reply.ok) announce(t("Your idea is changed."));
        else showEditorError(form, reply.message);
      });
    });
  }

  function showEditorError(form, message) {
    var error = form.querySelector(".field-error");
    if (!error) {
      error = document.createElement("p");
      error.className = "field-error";
      error.setAttribute("role", "alert");
      form.insertBefore(error, form.querySelector("button"));
    }
    error.textContent = message;
  }

  function upsertIdea(idea, fromOthers) {
    var known = state.ideas.get(idea.id);
    if (known && known.revision > idea.revision) return;
    state.ideas.set(idea.id, idea);
    var existing = list.querySelector('[data-idea-id="' + idea.id + '"]');
    if (idea.status !== "published") {
      if (existing) existing.remove();
    } else if (existing) {
      // Keep an open editor: the author may be typing in it.
      if (!existing.querySelector(".idea-editor")) existing.replaceWith(ideaNode(idea));
    } else {
      var node = ideaNode(idea);
      // A gentle entrance for what arrives live (the stylesheet drops it for reduced motion).
      node.classList.add("idea-new");
      if (newestFirst) list.insertBefore(node, list.firstChild);
      else list.appendChild(node);
      if (fromOthers) announceNewIdea();
    }
    renderWallCount();
  }

  function renderAllIdeas() {
    var fragment = document.createDocumentFragment();
    var ideas = Array.from(state.ideas.values()).filter(function (idea) { return idea.status === "published"; });
    ideas.sort(function (a, b) { return newestFirst ? b.id - a.id : a.id - b.id; });
    ideas.forEach(function (idea) { fragment.appendChild(ideaNode(idea)); });
    list.replaceChildren(fragment);
    renderWallCount();
  }

  function renderWallCount() {
    var published = 0;
    state.ideas.forEach(function (idea) { if (idea.status === "published") published += 1; });
    $all("[data-idea-count]").forEach(function (node) { node.textContent = "(" + published + ")"; });
    // The projector's type shrinks as the wall fills (see samskab.css).
    var density = published <= 6 ? "few" : published <= 15 ? "some" : published <= 40 ? "many" : "crowd";
    if (list.getAttribute("data-density") !== density) list.setAttribute("data-density", density);
    var empty = $("[data-wall-empty]");
    if (empty) empty.hidden = published > 0;
  }

  // The version of the last whole snapshot applied. Sent as `since` when the socket
  // opens: while it is still what the room holds, the server answers with only what it
  // reads fresh (`snapshot.current`) instead of the whole room again (docs/protocol.md).
  var snapshotVersion = null;

  function applySnapshot(snapshot) {
    snapshotVersion = snapshot.version || null;
    state.you = snapshot.you;
    state.ideas = new Map();
    snapshot.ideas.forEach(function (idea) { state.ideas.set(idea.id, idea); });
    // A snapshot is the truth: take its revision even if it is older than what we had.
    state.workshop = null;
    applyWorkshop(snapshot.workshop, snapshot.server_time);
    setParticipantCount(snapshot.participant_count, false);
    var yourName = $("[data-your-name]");
    if (yourName) yourName.textContent = snapshot.you.display_name;
    // The apps take their parts in first, so the wall is drawn with what they add to each
    // idea (a flag, a vote, a hide button) as this snapshot has it, not the one before.
    emit("snapshot", snapshot);
    renderAllIdeas();
  }

  // The snapshot held is still the room's: take what the server reads fresh for it.
  function applyCurrent(current) {
    applyWorkshop(current.workshop, current.server_time);
    setParticipantCount(current.participant_count, false);
    state.you = current.you;
    var yourName = $("[data-your-name]");
    if (yourName) yourName.textContent = current.you.display_name;
  }

  var EVENTS = {
    "workshop.updated": function (data) { applyWorkshop(data.workshop); },
    "phase.changed": function (data) { applyWorkshop(data.workshop, data.server_time); },
    "timer.changed": function (data) { applyWorkshop(data.workshop, data.server_time); },
    "participant.joined": function (data) { setParticipantCount(data.participant_count, true); },
    "participant.renamed": function (data) {
      if (state.you && data.participant.id === state.you.participant_id) {
        var yourName = $("[data-your-name]");
        if (yourName) yourName.textContent = data.participant.display_name;
      }
      state.ideas.forEach(function (idea) {
        if (idea.author_id === data.participant.id) {
          upsertIdea(Object.assign({}, idea, { author_name: data.participant.display_name }), false);
        }
      });
    },
    "idea.posted": function (data) { upsertIdea(data.idea, true); },
    "idea.edited": function (data) { upsertIdea(data.idea, false); },
    "idea.withdrawn": function (data) { upsertIdea(data.idea, false); },
  };

  // ---- the connection ---------------------------------------------------------------------

  var socket = null;
  var retryMs = RETRY_MIN_MS;
  var retryTimer = null;
  var heartbeatTimer = null;
  var pongTimer = null;
  var stopped = false;
  var pending = new Map(); // request_id -> resolve
  var connectionNode = $("[data-connection]");

  function setConnection(text, live) {
    if (connectionNode) {
      connectionNode.textContent = text;
      connectionNode.classList.toggle("connection-live", !!live);
    }
  }

  function socketOpen() { return socket !== null && socket.readyState === WebSocket.OPEN; }

  function connect() {
    if (stopped || (socket && socket.readyState <= WebSocket.OPEN)) return;
    window.clearTimeout(retryTimer);
    // On the join page the room comes over the socket the name went on: take it over,
    // with whatever came on it after the snapshot (static/workshops/join.js).
    var joined = window.SamskabJoin ? window.SamskabJoin.adopt() : null;
    if (joined) {
      socket = joined.socket;
      listen(socket);
      onOpen();
      joined.frames.forEach(onFrame);
      return;
    }
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    // The socket speaks the page's language (its messages, labels and names).
    var url = scheme + window.location.host + config.ws_path + "?lang=" + encodeURIComponent(config.language) + (config.projector ? "&view=projector" : "") + (snapshotVersion ? "&since=" + encodeURIComponent(snapshotVersion) : "");
    try {
      socket = new WebSocket(url);
    } catch (error) {
      scheduleReconnect();
      return;
    }
    socket.addEventListener("open", onOpen);
    listen(socket);
  }

  function onOpen() {
    retryMs = RETRY_MIN_MS;
    setConnection(t("Live"), true);
    heartbeat();
  }

  function listen(opened) {
    opened.addEventListener("message", function (message) {
      var frame;
      try { frame = JSON.parse(message.data); } catch (error) { return; }
      onFrame(frame);
    });
    opened.addEventListener("close", function (event) {
      socket = null;
      window.clearTimeout(heartbeatTimer);
      window.clearTimeout(pongTimer);
      // Requests in flight get no answer now; the outbox keeps what matters and resends.
      pending.forEach(function (resolve) { resolve({ ok: false, code: "disconnected", message: t("The connection was lost. Try again.") }); });
      pending.clear();
      if (event.code === 4403 || event.code === 4404) {
        stopped = true;
        setConnection(t("You are not in this workshop. Reload the page to join."), false);
        return;
      }
      setConnection(t("Connection lost. Reconnecting… Your ideas are kept on this phone."), false);
      scheduleReconnect();
    });
  }

  function scheduleReconnect() {
    if (stopped) return;
    window.clearTimeout(retryTimer);
    retryTimer = window.setTimeout(connect, retryMs + Math.random() * retryMs * 0.3);
    retryMs = Math.min(RETRY_MAX_MS, retryMs * 2);
    // While the socket is down, posts go over HTTP.
    flushOutbox();
  }

  function heartbeat() {
    window.clearTimeout(heartbeatTimer);
    heartbeatTimer = window.setTimeout(function () {
      if (!socketOpen()) return;
      socket.send(JSON.stringify({ type: "ping" }));
      // A phone back from the lock screen may hold a socket that is silently dead.
      pongTimer = window.setTimeout(function () { if (socket) socket.close(); }, PONG_TIMEOUT_MS);
    }, HEARTBEAT_MS);
  }

  function onFrame(frame) {
    // Under load the server sends the events of one moment together, in order.
    if (frame.type === "batch") {
      (frame.events || []).forEach(onFrame);
      return;
    }
    if (frame.type === "pong") {
      window.clearTimeout(pongTimer);
      heartbeat();
      return;
    }
    if (frame.type === "snapshot") {
      applySnapshot(frame.data);
      flushOutbox();
      return;
    }
    if (frame.type === "snapshot.current") {
      applyCurrent(frame.data);
      flushOutbox();
      return;
    }
    if ((frame.type === "ack" || frame.type === "error") && frame.request_id && pending.has(frame.request_id)) {
      var resolve = pending.get(frame.request_id);
      pending.delete(frame.request_id);
      resolve(frame.type === "ack" ? { ok: true, data: frame.data } : { ok: false, code: frame.code, message: frame.message });
      return;
    }
    if (frame.type === "error") {
      setConnection(frame.message, false);
      return;
    }
    var handler = EVENTS[frame.type];
    if (handler) handler(frame.data);
    emit(frame.type, frame.data);
  }

  var requestCounter = 0;
  function request(frame, httpPath) {
    return new Promise(function (resolve) {
      if (socketOpen()) {
        requestCounter += 1;
        frame.request_id = frame.request_id || "r" + requestCounter + "-" + Date.now();
        pending.set(frame.request_id, function (reply) {
          if (reply.ok && reply.data && reply.data.idea) upsertIdea(reply.data.idea, false);
          resolve(reply);
        });
        socket.send(JSON.stringify(frame));
        return;
      }
      // Only the idea commands have an HTTP twin; anything else waits for the socket.
      if (httpPath === undefined) {
        resolve({ ok: false, code: "disconnected", message: t("No connection right now. Try again in a moment.") });
        return;
      }
      httpRequest(frame, httpPath).then(resolve);
    });
  }

  function httpRequest(frame, httpPath) {
    var fields = {};
    if (frame.text !== undefined) fields.text = frame.text;
    if (frame.client_key !== undefined) fields.client_key = frame.client_key;
    var url = config.post_url + (httpPath ? httpPath + "/" : "");
    return dom.postForm(url, fields, t("No connection. Your idea is kept on this phone.")).then(function (reply) {
      if (reply.ok && reply.data.idea) upsertIdea(reply.data.idea, false);
      return reply;
    });
  }

  // ---- the outbox: what a citizen typed, until the server has it -----------------------

  var form = $("[data-idea-form]");
  var textBox = $("[data-idea-text]");
  var errorNode = $("[data-idea-error]");
  var counterNode = $("[data-idea-counter]");
  var outboxNode = $("[data-outbox]");
  var outboxList = $("[data-outbox-list]");
  var inFlight = new Set();

  function loadOutbox() {
    try { return JSON.parse(window.localStorage.getItem(OUTBOX_KEY) || "[]"); } catch (error) { return []; }
  }
  var outbox = loadOutbox();
  function saveOutbox() {
    try { window.localStorage.setItem(OUTBOX_KEY, JSON.stringify(outbox)); } catch (error) { /* private mode: memory only */ }
    renderOutbox();
  }

  function newClientKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
  }

  function renderOutbox() {
    if (!outboxNode) return;
    outboxNode.hidden = outbox.length === 0;
    outboxList.replaceChildren();
    outbox.forEach(function (item) {
      var li = document.createElement("li");
      var text = document.createElement("p");
      text.textContent = item.text;
      li.appendChild(text);
      if (item.error) {
        var error = document.createElement("p");
        error.className = "field-error";
        error.textContent = item.error;
        li.appendChild(error);
        var back = document.createElement("button");
        back.type = "button";
        back.textContent = t("Put back in the box to edit");
        back.addEventListener("click", function () {
          textBox.value = textBox.value ? textBox.value + "\n" + item.text : item.text;
          removeFromOutbox(item.client_key);
          updateCounter();
          textBox.focus();
        });
        li.appendChild(back);
      } else {
        var status = document.createElement("p");
        status.className = "help";
        status.textContent = t("Sending…");
        li.appendChild(status);
      }
      outboxList.appendChild(li);
    });
  }

  function removeFromOutbox(clientKey) {
    outbox = outbox.filter(function (item) { return item.client_key !== clientKey; });
    saveOutbox();
  }

  // No connection, a fault of the server's (a database busy under load) or a proxy's error
  // page: the idea may have been written all the same, so it goes again later under the
  // same key, which the server takes once. Only a refusal of the room's is for good.
  var SEND_AGAIN = ["disconnected", "server_error"];
  var OUTBOX_RETRY_MS = 10000;

  function sendItem(item) {
    if (item.error || inFlight.has(item.client_key)) return;
    inFlight.add(item.client_key);
    request({ type: "idea.post", request_id: item.client_key, client_key: item.client_key, text: item.text }, "").then(function (reply) {
      inFlight.delete(item.client_key);
      if (reply.ok) {
        removeFromOutbox(item.client_key);
        var idea = reply.data && reply.data.idea;
        // Held for review (pre-moderation, the word list): its answer carries no words,
        // so the apps are handed the ones typed (moderate.js lists it as waiting).
        if (idea && idea.status === "held") {
          announce(t("Your idea is sent. A facilitator reads it before it appears on the wall."));
          emit("outbox.held", { idea: idea, text: item.text });
        } else {
          announce(t("Your idea is posted."));
        }
      } else if (SEND_AGAIN.indexOf(reply.code) !== -1) {
        // While the socket is down the outbox goes again every 10 s; over an open socket
        // (a fault of the server's answered there) nothing else would send it.
        if (socketOpen()) window.setTimeout(function () { resendLater(item); }, OUTBOX_RETRY_MS);
      } else {
        // Refused for good (phase over, too long…): keep the words, show why.
        item.error = reply.message;
        saveOutbox();
        announce(reply.message);
      }
    });
  }

  function resendLater(item) {
    if (outbox.some(function (kept) { return kept.client_key === item.client_key; })) sendItem(item);
  }

  function flushOutbox() { outbox.forEach(sendItem); }

  function updateCounter() {
    if (!counterNode) return;
    var limit = textBox.maxLength > 0 ? textBox.maxLength : 500;
    counterNode.textContent = fmt(nt("%s of %s character", "%s of %s characters", limit), [textBox.value.length, limit]);
  }

  if (form && textBox) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = textBox.value.trim();
      if (!text) {
        errorNode.textContent = t("Write your idea before you post it.");
        errorNode.hidden = false;
        textBox.setAttribute("aria-invalid", "true");
        textBox.focus();
        return;
      }
      errorNode.hidden = true;
      textBox.removeAttribute("aria-invalid");
      var item = { client_key: newClientKey(), text: text };
      outbox.push(item);
      saveOutbox();
      textBox.value = "";
      updateCounter();
      sendItem(item);
    });
    textBox.addEventListener("input", updateCounter);
    updateCounter();
  }

  // ---- start ----------------------------------------------------------------------------

  window.SamskabRoom = {
    config: config,
    state: state,
    t: t,
    nt: nt,
    fmt: fmt,
    on: on,
    request: request,
    announce: announce,
    decorateIdea: function (decorator) { ideaDecorators.push(decorator); },
    renderIdeas: renderAllIdeas,
    upsertIdea: function (idea) { upsertIdea(idea, false); },
    isLive: socketOpen,
  };

  function start() {
    applySnapshot(initial);
    renderOutbox();
    connect();
    window.setInterval(function () { if (!socketOpen()) flushOutbox(); }, OUTBOX_RETRY_MS);
    window.addEventListener("online", function () { connect(); flushOutbox(); });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") {
        if (socketOpen()) socket.send(JSON.stringify({ type: "ping" }));
        else { retryMs = RETRY_MIN_MS; connect(); }
      }
    });
  }
  // Every app script registers its handlers before the room starts, so each takes in the
  // page's own snapshot, which may be all it gets (the socket sends `snapshot.current`
  // while it is still the room's). They come after this script in its bundle, and the
  // console's after the bundle, all deferred: the browser runs them all before
  // DOMContentLoaded. The join page loads the bundle once the page has loaded
  // (window.SamskabJoin): there the app scripts have registered once it has run to its end.
  var started = false;
  function startOnce() {
    if (started) return;
    started = true;
    start();
  }
  if (window.SamskabJoin || document.readyState === "complete") {
    window.setTimeout(startOnce, 0);
  } else {
    document.addEventListener("DOMContentLoaded", startOnce);
    // Should a page load the bundle after DOMContentLoaded, its scripts have all run by the load.
    window.addEventListener("load", startOnce);
  }
})();
