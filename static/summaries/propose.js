/*
 * Value propositions, written by the room together: facilitators edit each part live,
 * participants read along and (when the facilitator allows it) suggest text.
 *
 * Every part carries a revision. A save says which revision it was based on; if
 * someone else saved in between, the server keeps both texts and this script shows
 * a notice with both, so nothing is ever silently overwritten.
 */
(function () {
  "use strict";

  var room = window.SamskabRoom;
  if (!room) return;
  var panel = document.querySelector("[data-propositions-panel]");
  var consentBox = document.querySelector("[data-name-consent]");
  var t = room.t;
  var role = room.config.role;
  var facilitator = role === "facilitator";

  var items = new Map();
  var clusters = new Map();
  var maySuggest = false;
  // Conflicts this screen ran into: proposition id + field → {yours, current}.
  var myConflicts = {};

  var el = window.SamskabDom.el;

  function phase() { return room.state.workshop ? room.state.workshop.phase : ""; }
  function editing() { return facilitator && phase() === "propose"; }

  function send(frame) {
    return room.request(frame).then(function (reply) {
      if (!reply.ok) {
        room.announce(reply.message);
        showError(reply.message);
      }
      return reply;
    });
  }

  var errorNode = null;
  function showError(message) {
    if (!panel) return;
    if (!errorNode) {
      errorNode = el("p", "field-error");
      errorNode.setAttribute("role", "alert");
      panel.insertBefore(errorNode, panel.querySelector("[data-proposition-list]"));
    }
    errorNode.textContent = message;
  }

  function upsert(proposition) {
    items.set(proposition.id, proposition);
    // The projector shows the one being written.
    spotlight = proposition.id;
    render();
  }

  // ---- the projector: one value proposition at a time ----------------------------------

  var onStage = room.config.projector === true;
  var spotlight = null;
  var STAGE_SECONDS = 20;

  function stage(ordered) {
    if (!onStage || !panel) return;
    var ids = ordered.map(function (p) { return p.id; });
    if (ids.indexOf(spotlight) === -1) spotlight = ids.length ? ids[0] : null;
    Array.prototype.slice.call(panel.querySelectorAll("[data-proposition]")).forEach(function (node) {
      node.classList.toggle("proposition-current", Number(node.getAttribute("data-proposition")) === spotlight);
    });
    var where = panel.querySelector("[data-proposition-place]");
    if (!where) {
      where = el("p", "proposition-place");
      where.setAttribute("data-proposition-place", "");
      panel.appendChild(where);
    }
    where.textContent = ids.length > 1 ? room.fmt(t("%s of %s"), [ids.indexOf(spotlight) + 1, ids.length]) : "";
  }

  if (onStage) {
    // Each in turn, long enough to be read from the back of the hall.
    window.setInterval(function () {
      var ordered = Array.from(items.values()).sort(function (a, b) { return a.position - b.position || a.id - b.id; });
      if (ordered.length < 2) return;
      var index = ordered.findIndex(function (p) { return p.id === spotlight; });
      spotlight = ordered[(index + 1) % ordered.length].id;
      stage(ordered);
    }, STAGE_SECONDS * 1000);
  }

  // ---- the list -----------------------------------------------------------------------

  function render() {
    if (!panel) return;
    var list = panel.querySelector("[data-proposition-list]");
    if (!facilitator) panel.hidden = items.size === 0;
    var hint = panel.querySelector("[data-propositions-hint]");
    if (hint) hint.hidden = editing();
    var start = panel.querySelector("[data-proposition-start]");
    if (start) { start.hidden = !editing(); renderTargets(); }
    var allow = panel.querySelector("[data-allow-suggestions]");
    if (allow) { allow.checked = maySuggest; allow.disabled = phase() === "closed"; }
    var ordered = Array.from(items.values()).sort(function (a, b) { return a.position - b.position || a.id - b.id; });
    var seen = {};
    ordered.forEach(function (proposition) {
      seen[proposition.id] = true;
      var node = list.querySelector('[data-proposition="' + proposition.id + '"]');
      if (!node) {
        node = el("article", "proposition");
        node.setAttribute("data-proposition", proposition.id);
        list.appendChild(node);
      }
      list.appendChild(node); // keep the room's order
      if (editing()) renderEditor(node, proposition); else renderReading(node, proposition);
    });
    Array.prototype.slice.call(list.querySelectorAll("[data-proposition]")).forEach(function (node) {
      if (!seen[node.getAttribute("data-proposition")]) node.remove();
    });
    stage(ordered);
  }

  function renderReading(node, proposition) {
    node.textContent = "";
    node.setAttribute("data-mode", "read");
    node.appendChild(el("h3", "", proposition.title));
    var parts = el("dl", "proposition-parts");
    proposition.fields.forEach(function (field) {
      parts.appendChild(el("dt", "", field.label));
      parts.appendChild(el("dd", "", field.text || "—"));
    });
    node.appendChild(parts);
    if (role === "citizen" && maySuggest && phase() === "propose") node.appendChild(suggestForm(proposition));
  }

  function fieldId(proposition, field) { return "proposition-" + proposition.id + "-" + field.name; }

  function renderEditor(node, proposition) {
    if (node.getAttribute("data-mode") !== "edit") {
      node.textContent = "";
      node.setAttribute("data-mode", "edit");
      node.appendChild(el("h3", "", proposition.title));
      proposition.fields.forEach(function (field) {
        var wrap = el("div", "field");
        wrap.setAttribute("data-part", field.name);
        var label = el("label", "", field.label);
        label.htmlFor = fieldId(proposition, field);
        var box = el("textarea");
        box.id = fieldId(proposition, field);
        box.rows = 2;
        box.maxLength = 2000;
        box.value = field.text;
        box.setAttribute("data-revision", field.revision);
        box.setAttribute("data-shown", field.text);
        box.addEventListener("change", function () { save(proposition.id, field.name, box); });
        wrap.appendChild(label);
        wrap.appendChild(box);
        wrap.appendChild(el("div", "part-notes"));
        node.appendChild(wrap);
      });
      var actions = el("p", "actions");
      var saveButton = el("button", "", t("Save"));
      saveButton.type = "button";
      saveButton.addEventListener("click", function () {
        Array.prototype.slice.call(node.querySelectorAll("textarea")).forEach(function (box) {
          save(proposition.id, box.closest("[data-part]").getAttribute("data-part"), box);
        });
      });
      var remove = el("button", "link-button", t("Remove"));
      remove.type = "button";
      remove.setAttribute("aria-label", room.fmt(t("Remove the value proposition %s"), [proposition.title]));
      remove.addEventListener("click", function () {
        send({ type: "proposition.remove", proposition_id: proposition.id });
      });
      actions.appendChild(saveButton);
      actions.appendChild(document.createTextNode(" "));
      actions.appendChild(remove);
      node.appendChild(actions);
    }
    proposition.fields.forEach(function (field) {
      var wrap = node.querySelector('[data-part="' + field.name + '"]');
      var box = wrap.querySelector("textarea");
      var untouched = box.value === box.getAttribute("data-shown");
      // Someone else's change replaces the text only where this person is not writing.
      if (untouched && document.activeElement !== box) {
        box.value = field.text;
        box.setAttribute("data-shown", field.text);
        box.setAttribute("data-revision", field.revision);
      } else if (untouched) {
        box.setAttribute("data-pending-revision", field.revision);
      }
      renderNotes(wrap.querySelector(".part-notes"), proposition, field);
    });
  }

  function renderNotes(notes, proposition, field) {
    notes.textContent = "";
    var mine = myConflicts[proposition.id + "." + field.name];
    var alternatives = proposition.alternatives.filter(function (a) { return a.field === field.name; });
    alternatives.forEach(function (alternative) {
      var notice = el("div", "conflict-notice");
      notice.setAttribute("role", "alert");
      notice.setAttribute("data-conflict", alternative.id);
      var ownConflict = mine && mine.alternative_id === alternative.id;
      notice.appendChild(el("p", "", ownConflict
        ? t("Someone else changed this part while you were writing. Both texts are kept; choose one.")
        : t("Two texts were written for this part at once. Both are kept; choose one.")));
      notice.appendChild(el("p", "", t("Standing text:")));
      notice.appendChild(el("blockquote", "", field.text || "—"));
      notice.appendChild(el("p", "", ownConflict ? t("Your text:") : t("Other text:")));
      notice.appendChild(el("blockquote", "", alternative.text));
      var useOther = el("button", "", ownConflict ? t("Use my text") : t("Use the other text"));
      useOther.type = "button";
      useOther.addEventListener("click", function () {
        send({ type: "proposition.resolve", alternative_id: alternative.id, keep: "alternative" });
      });
      var keep = el("button", "", t("Keep the standing text"));
      keep.type = "button";
      keep.addEventListener("click", function () {
        send({ type: "proposition.resolve", alternative_id: alternative.id, keep: "current" });
      });
      notice.appendChild(useOther);
      notice.appendChild(document.createTextNode(" "));
      notice.appendChild(keep);
      notes.appendChild(notice);
    });
    proposition.suggestions.filter(function (s) { return s.field === field.name; }).forEach(function (suggestion) {
      var box = el("div", "suggestion");
      box.setAttribute("data-suggestion", suggestion.id);
      box.appendChild(el("p", "", t("Suggested by a participant:")));
      box.appendChild(el("blockquote", "", suggestion.text));
      var accept = el("button", "", t("Accept"));
      accept.type = "button";
      accept.addEventListener("click", function () {
        send({ type: "proposition.decide", suggestion_id: suggestion.id, accept: true });
      });
      var reject = el("button", "link-button", t("Reject"));
      reject.type = "button";
      reject.addEventListener("click", function () {
        send({ type: "proposition.decide", suggestion_id: suggestion.id, accept: false });
      });
      box.appendChild(accept);
      box.appendChild(document.createTextNode(" "));
      box.appendChild(reject);
      notes.appendChild(box);
    });
  }

  function save(propositionId, name, box) {
    if (box.value === box.getAttribute("data-shown")) return;
    var text = box.value;
    send({
      type: "proposition.edit",
      proposition_id: propositionId,
      field: name,
      text: text,
      revision: Number(box.getAttribute("data-revision")),
    }).then(function (reply) {
      if (!reply.ok) return;
      var fresh = reply.data.proposition;
      var field = fresh.fields.filter(function (f) { return f.name === name; })[0];
      box.value = field.text;
      box.setAttribute("data-shown", field.text);
      box.setAttribute("data-revision", field.revision);
      if (reply.data.conflict) {
        myConflicts[propositionId + "." + name] = reply.data.conflict;
        room.announce(t("Someone else changed this part while you were writing. Both texts are kept; choose one."));
      } else {
        room.announce(t("Saved."));
      }
      upsert(fresh);
    });
  }

  function renderTargets() {
    var select = panel.querySelector("[data-proposition-target]");
    if (!select) return;
    var chosen = select.value;
    var carried = {};
    items.forEach(function (p) { carried[p.target_type + ":" + p.target_id] = true; });
    select.textContent = "";
    clusters.forEach(function (cluster) {
      if (carried["cluster:" + cluster.id]) return;
      var option = el("option", "", room.fmt(t("Cluster: %s"), [cluster.name]));
      option.value = "cluster:" + cluster.id;
      select.appendChild(option);
    });
    room.state.ideas.forEach(function (idea) {
      if (idea.status !== "published" || idea.cluster_id || carried["idea:" + idea.id]) return;
      var option = el("option", "", room.fmt(t("Idea: %s"), [idea.text]));
      option.value = "idea:" + idea.id;
      select.appendChild(option);
    });
    if (chosen) select.value = chosen;
  }

  function suggestForm(proposition) {
    var form = el("form", "suggest-form");
    var id = "suggest-" + proposition.id;
    var pick = el("label", "", t("Part"));
    pick.htmlFor = id + "-field";
    var select = el("select");
    select.id = id + "-field";
    proposition.fields.forEach(function (field) {
      var option = el("option", "", field.label);
      option.value = field.name;
      select.appendChild(option);
    });
    var label = el("label", "", room.fmt(t("Suggest text for %s"), [proposition.title]));
    label.htmlFor = id + "-text";
    var box = el("textarea");
    box.id = id + "-text";
    box.rows = 2;
    box.maxLength = 2000;
    var button = el("button", "", t("Suggest"));
    button.type = "submit";
    [pick, select, label, box, button].forEach(function (node) { form.appendChild(node); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      send({ type: "proposition.suggest", proposition_id: proposition.id, field: select.value, text: box.value })
        .then(function (reply) {
          if (!reply.ok) return;
          box.value = "";
          room.announce(t("Thank you: the facilitator will see your suggestion."));
        });
    });
    return form;
  }

  // ---- wiring -------------------------------------------------------------------------

  if (panel) {
    var startButton = panel.querySelector("[data-proposition-start-button]");
    if (startButton) {
      startButton.addEventListener("click", function () {
        var value = panel.querySelector("[data-proposition-target]").value;
        if (!value) return;
        var parts = value.split(":");
        send({ type: "proposition.start", target_type: parts[0], target_id: Number(parts[1]) }).then(function (reply) {
          if (reply.ok) { upsert(reply.data.proposition); room.announce(t("Value proposition started.")); }
        });
      });
    }
    var allowBox = panel.querySelector("[data-allow-suggestions]");
    if (allowBox) {
      allowBox.addEventListener("change", function () {
        send({ type: "propositions.allow_suggestions", allowed: allowBox.checked });
      });
    }
  }
  if (consentBox) {
    consentBox.addEventListener("change", function () {
      send({ type: "summary.name_consent", agreed: consentBox.checked }).then(function (reply) {
        if (reply.ok) {
          room.announce(reply.data.name_in_summary
            ? t("Your name will appear with your words in the summary.")
            : t("Your words will appear without your name in the summary."));
        } else {
          consentBox.checked = !consentBox.checked;
        }
      });
    });
  }

  room.on("snapshot", function (snapshot) {
    var part = snapshot.propositions || { items: [], participants_may_suggest: false, name_in_summary: null };
    items = new Map();
    part.items.forEach(function (p) { items.set(p.id, p); });
    maySuggest = part.participants_may_suggest;
    clusters = new Map();
    (snapshot.clusters || []).forEach(function (c) { clusters.set(c.id, c); });
    if (consentBox) {
      consentBox.checked = part.name_in_summary === true;
      consentBox.closest("[data-name-consent-panel]").hidden = phase() === "closed";
    }
    render();
  });
  ["proposition.started", "proposition.edited", "proposition.suggested"].forEach(function (type) {
    room.on(type, function (data) { upsert(data.proposition); });
  });
  room.on("proposition.removed", function (data) { items.delete(data.proposition_id); render(); });
  room.on("propositions.permission_changed", function (data) { maySuggest = data.participants_may_suggest; render(); });
  ["cluster.created", "cluster.renamed", "cluster.tagged"].forEach(function (type) {
    room.on(type, function (data) { clusters.set(data.cluster.id, data.cluster); render(); });
  });
  room.on("cluster.deleted", function (data) { clusters.delete(data.cluster_id); render(); });
  // The projector's thanks once the workshop has closed (templates/summaries/wall_closed_panel.html).
  function showClosed() {
    Array.prototype.slice.call(document.querySelectorAll("[data-stage-closed]")).forEach(function (node) {
      node.hidden = phase() !== "closed";
    });
  }
  room.on("snapshot", showClosed);
  room.on("phase.changed", showClosed);
  room.on("phase.changed", function () {
    window.setTimeout(function () {
      if (panel) Array.prototype.slice.call(panel.querySelectorAll("[data-proposition]")).forEach(function (node) {
        node.removeAttribute("data-mode");
      });
      render();
    }, 0);
  });
})();
