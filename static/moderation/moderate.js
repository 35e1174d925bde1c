/*
 * Moderation in the room. Citizens flag ideas; facilitators work the review queue
 * (approve, hide, restore, edit, delete, mute or remove the author) live.
 *
 * The console's queue is rendered by the server and works without this script (each
 * button is a form). With it, the queue follows the room's events and the buttons
 * send commands over the socket. All text from people goes in with textContent.
 */
(function () {
  "use strict";

  var room = window.SamskabRoom;
  if (!room) return;
  var t = room.t;
  var fmt = room.fmt;
  var facilitator = room.config.role === "facilitator";

  var $ = window.SamskabDom.$;
  // Called here with attributes, el("p", { "class": "help" }, text).
  var el = window.SamskabDom.el;

  // Events both apps and the wall care about: the idea left the wall, or is gone.
  function upsertPublic(idea) {
    var known = room.state.ideas.get(idea.id);
    if (known && known.revision > idea.revision) return;
    room.state.ideas.set(idea.id, idea);
    room.renderIdeas();
  }
  room.on("idea.hidden", function (data) { upsertPublic(data.idea); });
  room.on("idea.held", function (data) { if (!data.review) upsertPublic(data.idea); });
  room.on("idea.deleted", function (data) {
    room.state.ideas.delete(data.idea_id);
    room.renderIdeas();
  });
  room.on("participant.erased", function (data) {
    room.state.ideas.forEach(function (idea, id) {
      if (idea.author_id === data.participant.id) {
        room.state.ideas.set(id, Object.assign({}, idea, { author_id: null, author_name: "" }));
      }
    });
    room.renderIdeas();
  });

  if (facilitator) startFacilitator(); else startCitizen();

  // ---- citizens: flag an idea -----------------------------------------------------------

  function startCitizen() {
    var reasons = [];
    var flagged = new Set();
    var ownId = null;
    var yourHeld = new Map();

    room.on("snapshot", function (snapshot) {
      var part = snapshot.moderation || {};
      reasons = part.flag_reasons || [];
      flagged = new Set(part.flagged_by_you || []);
      ownId = snapshot.you ? snapshot.you.participant_id : null;
      var muted = $("[data-muted-note]");
      if (muted) muted.hidden = part.restriction !== "muted";
      var premoderated = $("[data-premoderated-note]");
      if (premoderated) premoderated.hidden = !part.premoderated;
      yourHeld = new Map();
      (part.your_held || []).forEach(function (idea) { yourHeld.set(idea.id, idea.text); });
      renderYourHeld();
    });
    // One's own idea that waited is approved (on the wall now), or gone.
    ["idea.posted", "idea.withdrawn"].forEach(function (type) {
      room.on(type, function (data) { if (yourHeld.delete(data.idea.id)) renderYourHeld(); });
    });
    room.on("idea.deleted", function (data) { if (yourHeld.delete(data.idea_id)) renderYourHeld(); });
    // One's own idea just sent is held: it waits, as a fresh page would list it.
    room.on("outbox.held", function (data) {
      yourHeld.set(data.idea.id, data.text);
      renderYourHeld();
    });

    function renderYourHeld() {
      var held = $("[data-your-held]");
      if (!held) return;
      var heldList = $("[data-your-held-list]", held);
      heldList.replaceChildren();
      yourHeld.forEach(function (text) { heldList.appendChild(el("li", {}, text)); });
      held.hidden = yourHeld.size === 0;
    }

    room.decorateIdea(function (idea, item) {
      if (room.config.role !== "citizen" || ownId === null || idea.status !== "published") return;
      if (idea.author_id === ownId || room.state.workshop && room.state.workshop.phase === "closed") return;
      if (flagged.has(idea.id)) {
        item.appendChild(el("p", { "class": "help" }, t("You flagged this idea.")));
        return;
      }
      var details = el("details", { "class": "idea-flag" });
      details.appendChild(el("summary", {}, t("Flag")));
      var form = el("form", {});
      var id = "flag-reason-" + idea.id;
      form.appendChild(el("label", { "for": id }, t("Why does this idea not belong here?")));
      var select = el("select", { id: id, name: "reason" });
      reasons.forEach(function (reason) { select.appendChild(el("option", { value: reason.value }, reason.label)); });
      form.appendChild(select);
      form.appendChild(el("button", { type: "submit" }, t("Send flag")));
      var error = el("p", { "class": "field-error", role: "alert", hidden: "" });
      form.appendChild(error);
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        room.request({ type: "idea.flag", idea_id: idea.id, reason: select.value }).then(function (reply) {
          if (!reply.ok) {
            error.textContent = reply.message;
            error.hidden = false;
            return;
          }
          flagged.add(idea.id);
          room.announce(t("Thank you. A facilitator will look at it."));
          room.renderIdeas();
        });
      });
      details.appendChild(form);
      item.appendChild(details);
    });
  }

  // ---- facilitators: the review queue ------------------------------------------------------

  function startFacilitator() {
    var list = $("[data-review-list]");
    if (!list) return;
    var queue = new Map();
    var restricted = new Map();

    function reasonText(item) {
      var parts = [];
      parts.push(item.status === "held" ? t("Held") : item.status === "hidden" ? t("Hidden") : t("On the wall"));
      if (item.hold_reason === "pre_moderation") parts.push(t("pre-moderation"));
      if (item.hold_reason === "word_list") parts.push(t("word list:") + " " + item.matched_words.join(", "));
      if (item.hold_reason === "flags") parts.push(t("flagged by participants"));
      if (item.flag_count) parts.push(fmt(room.nt("%s flag", "%s flags", item.flag_count), [item.flag_count]));
      parts.push(item.author_name || t("anonymous"));
      return parts.join(" · ");
    }

    function send(frame, errorNode, done) {
      room.request(frame).then(function (reply) {
        if (!reply.ok) {
          errorNode.textContent = reply.message;
          errorNode.hidden = false;
          return;
        }
        errorNode.hidden = true;
        if (done) room.announce(done);
        if (reply.data && reply.data.review) upsertItem(reply.data.review);
        if (reply.data && reply.data.idea_id && !reply.data.idea) removeItem(reply.data.idea_id);
      });
    }

    function button(label, className, onClick) {
      var node = el("button", { type: "button", "class": className || "" }, label);
      node.addEventListener("click", onClick);
      return node;
    }

    function itemNode(item) {
      var node = el("li", { "class": "review review-" + item.status, "data-review-id": String(item.idea_id) });
      node.appendChild(el("p", { "class": "idea-text" }, item.text));
      node.appendChild(el("p", { "class": "idea-meta" }, reasonText(item)));
      if (item.original_text) node.appendChild(el("p", { "class": "help" }, t("Originally:") + " " + item.original_text));
      var actions = el("div", { "class": "review-actions" });
      var reasonId = "reason-" + item.idea_id;
      actions.appendChild(el("label", { "for": reasonId }, t("Reason (for the log)")));
      var reason = el("input", { id: reasonId, name: "reason", maxlength: "500" });
      actions.appendChild(reason);
      var error = el("p", { "class": "field-error", role: "alert", hidden: "" });
      function act(type, done) {
        return function () { send({ type: type, idea_id: item.idea_id, reason: reason.value }, error, done); };
      }
      if (item.status === "held") actions.appendChild(button(t("Approve"), "button-primary", act("moderation.approve", t("The idea is on the wall."))));
      if (item.status !== "hidden") actions.appendChild(button(t("Hide"), "", act("moderation.hide", t("The idea is hidden."))));
      if (item.status === "hidden") actions.appendChild(button(t("Restore"), "", act("moderation.restore", t("The idea is back on the wall."))));
      actions.appendChild(button(t("Delete"), "button-secondary", act("moderation.delete", t("The idea is deleted."))));
      if (item.author_id) {
        actions.appendChild(button(t("Mute author"), "button-secondary", function () {
          send({ type: "participant.mute", participant_id: item.author_id, reason: reason.value }, error, t("The participant is muted."));
        }));
        actions.appendChild(button(t("Remove author"), "button-secondary", function () {
          send({ type: "participant.remove", participant_id: item.author_id, reason: reason.value }, error, t("The participant is removed from the workshop."));
        }));
      }
      node.appendChild(actions);
      var edit = el("details", {});
      edit.appendChild(el("summary", {}, t("Edit the wording")));
      var textId = "edit-text-" + item.idea_id;
      edit.appendChild(el("label", { "for": textId }, t("New wording")));
      var box = el("textarea", { id: textId, rows: "3", maxlength: "500" });
      box.value = item.text;
      edit.appendChild(box);
      edit.appendChild(button(t("Save wording"), "", function () {
        send({ type: "moderation.edit", idea_id: item.idea_id, text: box.value, reason: reason.value }, error, t("The idea is changed; the author's words are kept in the log."));
      }));
      node.appendChild(edit);
      node.appendChild(error);
      return node;
    }

    function render() {
      list.textContent = "";
      Array.from(queue.values()).sort(function (a, b) { return a.idea_id - b.idea_id; }).forEach(function (item) {
        list.appendChild(itemNode(item));
      });
      var empty = $("[data-review-empty]");
      if (empty) empty.hidden = queue.size > 0;
      // The panel's heading and the console's tab both show the count.
      window.SamskabDom.$all("[data-review-count]").forEach(function (count) { count.textContent = "(" + queue.size + ")"; });
    }

    function upsertItem(review) {
      var waiting = review.status === "held" || review.status === "hidden" || review.flag_count > 0;
      if (waiting) queue.set(review.idea_id, review); else queue.delete(review.idea_id);
      render();
    }
    function removeItem(ideaId) { if (queue.delete(ideaId)) render(); }

    function renderRestricted() {
      var target = $("[data-restricted-list]");
      if (!target) return;
      target.textContent = "";
      restricted.forEach(function (entry) {
        var node = el("li", { "data-restricted-id": String(entry.participant_id) },
          (entry.display_name || t("anonymous")) + " — " + (entry.kind === "muted" ? t("muted") : t("removed")) + " ");
        if (entry.kind === "muted") {
          var error = el("p", { "class": "field-error", role: "alert", hidden: "" });
          node.appendChild(button(t("Unmute"), "", function () {
            send({ type: "participant.unmute", participant_id: entry.participant_id }, error, t("The participant may write again."));
          }));
          node.appendChild(error);
        }
        target.appendChild(node);
      });
      var empty = $("[data-restricted-empty]");
      if (empty) empty.hidden = restricted.size > 0;
    }

    // The settings as a fresh console shows them: the line under the heading, and the
    // form, unless it is open (the facilitator may be changing it).
    function renderSettings(settings) {
      if (!settings) return;
      var mode = $("[data-moderation-mode]");
      if (mode) {
        mode.textContent = settings.mode === "pre"
          ? t("Pre-moderation: you approve every idea before the room sees it.")
          : t("Post-moderation: ideas appear at once; flagged or matching ideas wait here.");
      }
      var form = $("[data-moderation-settings]");
      var details = form ? form.closest("details") : null;
      if (!form || (details && details.open)) return;
      form.querySelectorAll("input[name=mode]").forEach(function (radio) { radio.checked = radio.value === settings.mode; });
      form.elements.flag_threshold.value = String(settings.flag_threshold);
      form.elements.word_list.value = settings.word_list;
      form.elements.retention_days.value = String(settings.retention_days);
    }

    room.on("snapshot", function (snapshot) {
      var part = snapshot.moderation || {};
      renderSettings(part.settings);
      queue = new Map();
      (part.queue || []).forEach(function (item) { queue.set(item.idea_id, item); });
      restricted = new Map();
      (part.restricted || []).forEach(function (entry) { restricted.set(entry.participant_id, entry); });
      render();
      renderRestricted();
    });
    ["idea.held", "idea.flagged", "idea.hidden"].forEach(function (type) {
      room.on(type, function (data) {
        if (!data.review) return;
        if (type === "idea.held" && !queue.has(data.review.idea_id)) room.announce(t("An idea waits for your review."));
        upsertItem(data.review);
      });
    });
    room.on("idea.posted", function (data) { removeItem(data.idea.id); });
    room.on("idea.withdrawn", function (data) { removeItem(data.idea.id); });
    room.on("idea.deleted", function (data) { removeItem(data.idea_id); });
    room.on("idea.edited", function (data) {
      var item = queue.get(data.idea.id);
      if (item) { item.text = data.idea.text; render(); }
    });
    room.on("participant.restricted", function (data) {
      var id = data.participant.id;
      if (data.restriction.kind) {
        restricted.set(id, { participant_id: id, kind: data.restriction.kind, display_name: data.participant.display_name });
      } else {
        restricted.delete(id);
      }
      renderRestricted();
    });
    room.on("moderation.settings_changed", function (data) { renderSettings(data.settings); });

    // On the wall: hide an idea at once, without going through the queue.
    room.decorateIdea(function (idea, item) {
      if (idea.status !== "published") return;
      item.appendChild(button(t("Hide"), "button-secondary", function () {
        // Made when needed: a thousand ideas need no thousand empty error lines.
        var error = item.querySelector(".hide-error");
        if (!error) error = item.appendChild(el("p", { "class": "field-error hide-error", role: "alert", hidden: "" }));
        send({ type: "moderation.hide", idea_id: idea.id }, error, t("The idea is hidden."));
      }));
    });
  }
})();
