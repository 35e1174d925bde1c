/*
 * Grouping on every screen: the facilitator's board, the citizen's clusters, the
 * projector's themes, suggested clusters for facilitators, and the near-duplicate hint
 * while a citizen types.
 *
 * The board draws each idea once, as a small card, and changes only what an event
 * touches: a move moves one card, a new idea adds one. Moving and merging happen by
 * dragging a card onto a cluster or onto another card, or through one action panel that
 * opens under the card whose "Move" button was pressed (keyboard and touch): a "Move to…"
 * list of the clusters and a search for the idea to merge into. Only that one panel
 * carries controls, so the page grows with the ideas, not with their square.
 * All text from people is set with textContent.
 */
(function () {
  "use strict";

  var room = window.SamskabRoom;
  var dom = window.SamskabDom;
  if (!room || !dom) return;
  var t = room.t;
  var fmt = room.fmt;
  var config = room.config;
  var role = config.role;
  var base = "/w/" + config.code + "/";
  var $ = dom.$;
  var el = dom.el;
  var short = dom.short;
  var MERGE_RESULTS = 8;

  var clusters = new Map();
  var suggestions = new Map();
  var grouping = { participants_may_group: false };

  function phase() { return room.state.workshop ? room.state.workshop.phase : ""; }

  // ---- who may do what now (the server checks again) ----------------------------------

  function sortingPhase() { return phase() === "ideate" || phase() === "group"; }
  function mayManage() { return role === "facilitator" && sortingPhase(); }
  function mayMove() {
    if (role === "facilitator") return sortingPhase();
    return role === "citizen" && phase() === "group" && grouping.participants_may_group;
  }
  function mayTag() { return role === "facilitator" && phase() !== "closed"; }

  // ---- talking to the server ---------------------------------------------------------------

  // The socket when it is open; otherwise the same write over HTTP (docs/protocol.md).
  function send(frame, path, fields) {
    if (room.isLive && room.isLive()) return room.request(frame);
    return dom.postForm(base + path, fields, t("No connection. Try again in a moment."));
  }

  function report(reply, success) {
    if (reply.ok) { showError(""); if (success) room.announce(success); return true; }
    showError(reply.message || t("That did not work. Try again."));
    return false;
  }

  // A refusal is shown above the board, where the person is looking, as well as read out
  // (role="alert"): until the next answer that went through.
  var errorLine = null;
  var errorTimer = null;
  function showError(message) {
    var panel = $('[data-group-panel="' + (role === "facilitator" ? "console" : "room") + '"]');
    var board = panel && $("[data-group-board]", panel);
    if (board && !errorLine) {
      errorLine = el("p", { "class": "field-error", role: "alert", "data-group-error": "" });
      board.parentNode.insertBefore(errorLine, board);
    }
    if (errorLine) {
      // Emptied, then filled on the next tick: the same refusal twice is read out twice.
      window.clearTimeout(errorTimer);
      errorLine.textContent = "";
      errorLine.hidden = !message;
      if (message) errorTimer = window.setTimeout(function () { errorLine.textContent = message; }, 50);
    }
    // An alert out of sight (another of the console's tools open, a phase the board is
    // hidden in) is not read out: the room's live region says it instead.
    if (message && (!board || !board.getClientRects().length)) room.announce(message);
  }

  function putIdea(idea) {
    if (room.upsertIdea) room.upsertIdea(idea);
    else { room.state.ideas.set(idea.id, idea); room.renderIdeas(); }
    var now = room.state.ideas.get(idea.id);
    if (now) placeIdea(now);
  }

  function putCluster(cluster) {
    var known = clusters.get(cluster.id);
    if (known && known.revision > cluster.revision) return;
    clusters.set(cluster.id, cluster);
  }

  function clusterName(id) {
    var cluster = clusters.get(id);
    return cluster ? cluster.name : t("Unsorted");
  }

  function orderedClusters() {
    return Array.from(clusters.values()).sort(function (a, b) {
      return a.position - b.position || a.id - b.id;
    });
  }

  function wallIdeas() {
    return Array.from(room.state.ideas.values())
      .filter(function (idea) { return idea.status === "published"; })
      .sort(function (a, b) { return a.id - b.id; });
  }

  function homeOf(idea) {
    return idea.cluster_id !== null && clusters.has(idea.cluster_id) ? idea.cluster_id : null;
  }

  // ---- writes --------------------------------------------------------------------------------

  function moveIdea(idea, clusterId) {
    send({ type: "idea.move", idea_id: idea.id, cluster_id: clusterId }, "ideas/" + idea.id + "/move/",
      { cluster_id: clusterId === null ? "" : String(clusterId) })
      .then(function (reply) {
        if (reply.ok && reply.data.idea) putIdea(reply.data.idea);
        report(reply, fmt(t("Moved to %s"), [clusterName(clusterId)]));
      });
  }

  function mergeIdea(idea, target) {
    if (!window.confirm(fmt(t("Merge “%s” into “%s”? Both keep their words."), [short(idea.text), short(target.text)]))) return;
    send({ type: "idea.merge", idea_id: idea.id, into_id: target.id }, "ideas/" + idea.id + "/merge/", { into_id: String(target.id) })
      .then(function (reply) {
        if (reply.ok) { putIdea(reply.data.merged); putIdea(reply.data.idea); }
        report(reply, t("The ideas are merged."));
      });
  }

  function reorder(cluster, step) {
    var ids = orderedClusters().map(function (c) { return c.id; });
    var index = ids.indexOf(cluster.id);
    var other = index + step;
    if (other < 0 || other >= ids.length) return;
    ids[index] = ids[other];
    ids[other] = cluster.id;
    send({ type: "clusters.reorder", cluster_ids: ids }, "clusters/" + cluster.id + "/shift/",
      { direction: step < 0 ? "up" : "down" })
      .then(function (reply) {
        if (reply.ok) reply.data.clusters.forEach(putCluster);
        report(reply, fmt(t("%s moved to place %s"), [cluster.name, other + 1]));
        refreshClusters();
      });
  }

  // ---- pieces of the board -------------------------------------------------------------------

  function tagList(tags) {
    var list = el("ul", "tags");
    list.setAttribute("aria-label", t("Tags"));
    tags.forEach(function (tag) { list.appendChild(el("li", "tag", tag)); });
    return list;
  }

  function tagForm(current, label, focusKey, onSave) {
    var form = el("form", "tag-form");
    var id = "tags-" + focusKey;
    var labelNode = el("label", "", label);
    labelNode.setAttribute("for", id);
    var input = el("input");
    input.id = id;
    input.value = current.join(", ");
    input.maxLength = 500;
    input.setAttribute("data-focus-key", id);
    var save = el("button", "button-small", t("Save tags"));
    save.type = "submit";
    save.setAttribute("data-focus-key", id + "-save");
    form.appendChild(labelNode);
    form.appendChild(input);
    form.appendChild(save);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var tags = input.value.split(",").map(function (s) { return s.trim(); }).filter(Boolean);
      onSave(tags, form);
    });
    return form;
  }

  function mergedList(idea) {
    var merged = el("ul", "merged-ideas");
    merged.setAttribute("aria-label", t("Also said, merged into this idea"));
    idea.merged.forEach(function (m) { merged.appendChild(el("li", "", "“" + m.text + "” — " + m.author_name)); });
    return merged;
  }

  // A card: its words, who said them, what was merged into it, and one button that opens
  // the action panel. The board listens for clicks and drags once, not on every card.
  function ideaCard(board, idea) {
    var item = el("li", "idea group-idea");
    item.setAttribute("data-idea-id", String(idea.id));
    var text = el("p", "idea-text", idea.text);
    text.id = "group-idea-" + idea.id;
    item.appendChild(text);
    if (board.panel !== "wall") item.appendChild(el("p", "idea-meta", idea.author_name));
    if (idea.merged && idea.merged.length) item.appendChild(mergedList(idea));
    if (idea.tags && idea.tags.length) item.appendChild(tagList(idea.tags));
    if (board.panel !== "wall" && mayMove()) {
      item.draggable = true;
      var pick = el("button", "button-small button-secondary card-pick", mayManage() ? t("Move or merge") : t("Move"));
      pick.type = "button";
      pick.setAttribute("data-pick", String(idea.id));
      pick.setAttribute("data-focus-key", "pick-" + idea.id);
      pick.setAttribute("aria-describedby", text.id);
      pick.setAttribute("aria-expanded", "false");
      item.appendChild(pick);
    }
    return item;
  }

  function clusterControls(cluster, index, count) {
    var tools = el("div", "cluster-tools");
    var rename = el("form", "rename-form");
    var id = "rename-" + cluster.id;
    var label = el("label", "visually-hidden", fmt(t("Name of cluster %s"), [index + 1]));
    label.setAttribute("for", id);
    var input = el("input");
    input.id = id;
    input.value = cluster.name;
    input.maxLength = 120;
    input.setAttribute("data-focus-key", id);
    var save = el("button", "button-small", t("Rename"));
    save.type = "submit";
    save.setAttribute("data-focus-key", id + "-save");
    rename.appendChild(label);
    rename.appendChild(input);
    rename.appendChild(save);
    rename.addEventListener("submit", function (event) {
      event.preventDefault();
      send({ type: "cluster.rename", cluster_id: cluster.id, name: input.value }, "clusters/" + cluster.id + "/rename/", { name: input.value })
        .then(function (reply) {
          if (reply.ok) putCluster(reply.data.cluster);
          report(reply, t("The cluster is renamed."));
          refreshClusters(reply.ok ? null : typedIn(rename));
        });
    });
    tools.appendChild(rename);

    function button(text, label, key, disabled, onClick) {
      var node = el("button", "button-small button-secondary", text);
      node.type = "button";
      node.setAttribute("aria-label", label);
      node.setAttribute("data-focus-key", key);
      node.disabled = disabled;
      node.addEventListener("click", onClick);
      tools.appendChild(node);
    }
    button(t("Up"), fmt(t("Move %s up"), [cluster.name]), "up-" + cluster.id, index === 0, function () { reorder(cluster, -1); });
    button(t("Down"), fmt(t("Move %s down"), [cluster.name]), "down-" + cluster.id, index === count - 1, function () { reorder(cluster, 1); });
    button(t("Delete"), fmt(t("Delete the cluster %s"), [cluster.name]), "delete-" + cluster.id, false, function () {
      if (!window.confirm(fmt(t("Delete “%s”? Its ideas go back to the unsorted ones."), [cluster.name]))) return;
      send({ type: "cluster.delete", cluster_id: cluster.id }, "clusters/" + cluster.id + "/delete/", {})
        .then(function (reply) {
          if (reply.ok) {
            clusters.delete(cluster.id);
            // The answer names its ideas (`idea_ids`); the event brings them whole.
            (reply.data.idea_ids || []).forEach(function (ideaId) {
              var idea = room.state.ideas.get(ideaId);
              if (idea && idea.cluster_id === cluster.id) putIdea(Object.assign({}, idea, { cluster_id: null }));
            });
          }
          report(reply, t("The cluster is removed; its ideas are unsorted again."));
          refreshClusters();
        });
    });
    return tools;
  }

  // ---- the boards: one per page (console, phone or wall), kept card by card ---------------------

  var boards = [];

  function makeBoard(panel) {
    var node = $('[data-group-panel="' + panel + '"] [data-group-board]');
    if (!node) return;
    var board = { panel: panel, node: node, cards: new Map(), sections: new Map(), actions: null };
    boards.push(board);
    if (panel !== "wall") listen(board);
  }

  // A section: the heading with its count, the cluster's tools (console), the list of cards.
  function makeSection(board, cluster) {
    var section = el("section", "cluster");
    section.setAttribute("data-cluster-id", cluster ? String(cluster.id) : "");
    var headingId = board.panel + "-cluster-" + (cluster ? cluster.id : "unsorted");
    section.setAttribute("aria-labelledby", headingId);
    var list = el("ul", "cluster-ideas");
    list.setAttribute("aria-labelledby", headingId);
    var empty = el("li", "empty", board.panel === "wall" ? t("No ideas yet.") : t("Drop ideas here, or use “Move”."));
    list.appendChild(empty);
    section.appendChild(list);
    var entry = { cluster: cluster, section: section, list: list, empty: empty, headingId: headingId, size: 0 };
    return entry;
  }

  function drawHead(board, entry, index, count) {
    var cluster = entry.cluster;
    var heading = el("h3", "", cluster ? cluster.name : t("Unsorted ideas"));
    heading.id = entry.headingId;
    entry.count = el("span", "count", " (" + entry.size + ")");
    heading.appendChild(entry.count);
    var parts = [heading];
    if (cluster && cluster.tags.length) parts.push(tagList(cluster.tags));
    if (cluster && board.panel === "console" && mayManage()) parts.push(clusterControls(cluster, index, count));
    if (cluster && board.panel === "console" && mayTag()) {
      parts.push(tagForm(cluster.tags, t("Cluster tags (comma-separated)"), "cluster-" + cluster.id, function (tags, form) {
        send({ type: "cluster.tag", cluster_id: cluster.id, tags: tags }, "clusters/" + cluster.id + "/tags/", { tags: tags.join(",") })
          .then(function (reply) {
            if (reply.ok) putCluster(reply.data.cluster);
            report(reply, t("The cluster's tags are saved."));
            refreshClusters(reply.ok ? null : typedIn(form));
          });
      }));
    }
    // The heading and the cluster's tools sit before its list; the list and its cards stay.
    while (entry.section.firstChild !== entry.list) entry.section.removeChild(entry.section.firstChild);
    parts.forEach(function (part) { entry.section.insertBefore(part, entry.list); });
  }

  function countChanged(board, entry, step) {
    entry.size += step;
    if (entry.count) entry.count.textContent = " (" + entry.size + ")";
    entry.empty.hidden = entry.size > 0;
    // The phone and the wall show the unsorted ones only while there are some (or, on a
    // phone that may sort, as somewhere to put ideas back).
    if (!entry.cluster && board.panel !== "console") {
      var wanted = entry.size > 0 || (board.panel === "room" && mayMove());
      if (!wanted && entry.section.parentNode) entry.section.remove();
      else if (wanted && !entry.section.parentNode) board.node.appendChild(entry.section);
    }
  }

  // Put the sections in the clusters' order, add new ones, drop deleted ones; cards stay.
  function syncSections(board) {
    var ordered = orderedClusters();
    var unsorted = board.sections.get("unsorted");
    if (!unsorted) {
      unsorted = makeSection(board, null);
      board.sections.set("unsorted", unsorted);
    }
    board.sections.forEach(function (entry, key) {
      if (key !== "unsorted" && !clusters.has(key)) {
        Array.prototype.slice.call(entry.list.querySelectorAll(".group-idea")).forEach(function (card) {
          insertCard(unsorted.list, card);
          countChanged(board, unsorted, 1);
        });
        entry.section.remove();
        board.sections.delete(key);
      }
    });
    var columns = [];
    ordered.forEach(function (cluster, index) {
      var entry = board.sections.get(cluster.id);
      if (!entry) {
        entry = makeSection(board, cluster);
        board.sections.set(cluster.id, entry);
      }
      entry.cluster = cluster;
      drawHead(board, entry, index, ordered.length);
      columns.push(entry.section);
    });
    drawHead(board, unsorted, -1, 0);
    if (board.panel === "console") {
      // Unsorted on the left and the clusters beside it, each scrolling on its own.
      if (!board.unsortedColumn) {
        board.unsortedColumn = el("div", "board-unsorted");
        board.clusterColumn = el("div", "board-clusters");
        board.node.replaceChildren(board.unsortedColumn, board.clusterColumn);
      }
      board.unsortedColumn.appendChild(unsorted.section);
      if (!ordered.length) {
        if (!board.noClusters) board.noClusters = el("p", "help board-hint", t("No clusters yet. Add one above, or ask for suggestions."));
        columns.push(board.noClusters);
      }
      board.clusterColumn.replaceChildren.apply(board.clusterColumn, columns);
    } else {
      columns.push(unsorted.section);
      board.node.replaceChildren.apply(board.node, columns);
    }
    countChanged(board, unsorted, 0);
    if (board.actions) fillMoveSelect(board);
  }

  function insertCard(list, card) {
    var id = Number(card.getAttribute("data-idea-id"));
    var before = null;
    var children = list.children;
    // Cards keep the order the ideas came in; a new idea usually goes last.
    for (var i = children.length - 1; i >= 0; i -= 1) {
      var other = children[i];
      if (!other.hasAttribute("data-idea-id")) continue;
      if (Number(other.getAttribute("data-idea-id")) > id) before = other;
      else break;
    }
    list.insertBefore(card, before);
  }

  function entryOfCard(board, card) {
    var section = card.closest(".cluster");
    var key = section ? section.getAttribute("data-cluster-id") : "";
    return board.sections.get(key === "" ? "unsorted" : Number(key));
  }

  // Draw one idea where it belongs now; the rest of the board stays as it is.
  function placeOn(board, idea) {
    var old = board.cards.get(idea.id);
    var active = document.activeElement;
    var focusKey = old && old.contains(active) ? active.getAttribute("data-focus-key") : null;
    var keepActions = board.actions && board.actions.ideaId === idea.id;
    if (old) {
      countChanged(board, entryOfCard(board, old), -1);
      old.remove();
      board.cards.delete(idea.id);
    }
    if (idea.status !== "published") {
      if (keepActions) closeActions(board, false);
      return;
    }
    var entry = board.sections.get(homeOf(idea) === null ? "unsorted" : homeOf(idea));
    if (!entry) return;
    var card = ideaCard(board, idea);
    board.cards.set(idea.id, card);
    insertCard(entry.list, card);
    countChanged(board, entry, 1);
    if (keepActions) {
      card.appendChild(board.actions.node);
      markOpen(card, true);
      board.actions.idea = idea;
      fillMoveSelect(board);
    }
    if (focusKey) {
      var again = card.querySelector('[data-focus-key="' + focusKey + '"]');
      if (again) again.focus();
    }
  }

  function placeIdea(idea) { boards.forEach(function (board) { placeOn(board, idea); }); }

  function removeIdea(ideaId) {
    boards.forEach(function (board) {
      var card = board.cards.get(ideaId);
      if (!card) return;
      if (board.actions && board.actions.ideaId === ideaId) closeActions(board, false);
      countChanged(board, entryOfCard(board, card), -1);
      card.remove();
      board.cards.delete(ideaId);
    });
  }

  function drawBoard(board) {
    closeActions(board, false);
    board.cards = new Map();
    board.sections = new Map();
    board.unsortedColumn = null;
    board.noClusters = null;
    syncSections(board);
    // Build each list off the page, then put it in once.
    var lists = new Map();
    wallIdeas().forEach(function (idea) {
      var key = homeOf(idea) === null ? "unsorted" : homeOf(idea);
      var entry = board.sections.get(key);
      var card = ideaCard(board, idea);
      board.cards.set(idea.id, card);
      if (!lists.has(key)) lists.set(key, document.createDocumentFragment());
      lists.get(key).appendChild(card);
      entry.size += 1;
    });
    board.sections.forEach(function (entry, key) {
      if (lists.has(key)) entry.list.appendChild(lists.get(key));
      countChanged(board, entry, 0);
    });
  }

  // ---- the action panel: move to a cluster, merge into another idea, tags ----------------------

  function markOpen(card, open) {
    var pick = card.querySelector("[data-pick]");
    if (pick) pick.setAttribute("aria-expanded", open ? "true" : "false");
  }

  function fillMoveSelect(board) {
    var actions = board.actions;
    if (!actions) return;
    var options = [el("option", { value: "" }, t("Unsorted"))];
    orderedClusters().forEach(function (cluster) { options.push(el("option", { value: String(cluster.id) }, cluster.name)); });
    actions.select.replaceChildren.apply(actions.select, options);
    actions.select.value = actions.idea.cluster_id === null || !clusters.has(actions.idea.cluster_id) ? "" : String(actions.idea.cluster_id);
  }

  function closeActions(board, returnFocus) {
    var actions = board.actions;
    if (!actions) return;
    board.actions = null;
    var card = board.cards.get(actions.ideaId);
    actions.node.remove();
    if (card) {
      markOpen(card, false);
      if (returnFocus) {
        var pick = card.querySelector("[data-pick]");
        if (pick) pick.focus();
      }
    }
  }

  function openActions(board, ideaId) {
    var idea = room.state.ideas.get(ideaId);
    var card = board.cards.get(ideaId);
    if (!idea || !card) return;
    var wasOpen = board.actions && board.actions.ideaId === ideaId;
    closeActions(board, false);
    if (wasOpen) return;
    var node = el("div", "card-actions");
    node.setAttribute("data-card-actions", "");
    var actions = { ideaId: ideaId, idea: idea, node: node };
    board.actions = actions;

    var moveId = "move-" + ideaId;
    var move = el("div", "move-to");
    move.appendChild(el("label", { "for": moveId }, t("Move to…")));
    var select = el("select", { id: moveId, "data-focus-key": moveId, "aria-describedby": "group-idea-" + ideaId });
    actions.select = select;
    move.appendChild(select);
    node.appendChild(move);
    select.addEventListener("change", function () {
      moveIdea(actions.idea, select.value === "" ? null : Number(select.value));
    });

    if (mayManage()) node.appendChild(mergePicker(board, actions));
    if (mayTag()) {
      node.appendChild(tagForm(idea.tags || [], t("Tags (comma-separated)"), "idea-" + ideaId, function (tags) {
        send({ type: "idea.tag", idea_id: ideaId, tags: tags }, "ideas/" + ideaId + "/tags/", { tags: tags.join(",") })
          .then(function (reply) {
            if (reply.ok) putIdea(reply.data.idea);
            report(reply, t("The idea's tags are saved."));
          });
      }));
    }
    var close = el("button", "button-small button-secondary", t("Close"));
    close.type = "button";
    close.addEventListener("click", function () { closeActions(board, true); });
    node.appendChild(close);
    node.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { event.preventDefault(); closeActions(board, true); }
    });
    card.appendChild(node);
    markOpen(card, true);
    fillMoveSelect(board);
    select.focus();
  }

  // Search as you type for the idea this one repeats: a few matches, never the whole wall.
  function mergePicker(board, actions) {
    var wrap = el("div", "merge-picker");
    var id = "merge-" + actions.ideaId;
    wrap.appendChild(el("label", { "for": id }, t("Merge this duplicate into…")));
    var input = el("input", { id: id, type: "search", autocomplete: "off", "data-focus-key": id, "aria-describedby": id + "-status" });
    wrap.appendChild(input);
    var status = el("p", { "class": "help", id: id + "-status", "aria-live": "polite" }, t("Type a few words of the idea it repeats."));
    wrap.appendChild(status);
    var results = el("ul", "merge-results");
    wrap.appendChild(results);
    var timer = null;
    function search() {
      var words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      results.replaceChildren();
      if (!words.length) { status.textContent = t("Type a few words of the idea it repeats."); return; }
      var found = [];
      var ideas = wallIdeas();
      for (var i = 0; i < ideas.length; i += 1) {
        var other = ideas[i];
        if (other.id === actions.ideaId) continue;
        var text = other.text.toLowerCase();
        if (words.every(function (word) { return text.indexOf(word) !== -1; })) found.push(other);
      }
      found.slice(0, MERGE_RESULTS).forEach(function (other) {
        var button = el("button", "button-small button-secondary", short(other.text, 80));
        button.type = "button";
        button.addEventListener("click", function () { mergeIdea(actions.idea, other); });
        var item = el("li");
        item.appendChild(button);
        results.appendChild(item);
      });
      if (!found.length) status.textContent = t("No idea on the wall has these words.");
      else if (found.length > MERGE_RESULTS) status.textContent = fmt(room.nt("%s idea matches; the first %s are shown. Type more words to narrow them.", "%s ideas match; the first %s are shown. Type more words to narrow them.", found.length), [found.length, MERGE_RESULTS]);
      else status.textContent = fmt(room.nt("%s idea matches.", "%s ideas match.", found.length), [found.length]);
    }
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 120);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); window.clearTimeout(timer); search(); }
    });
    return wrap;
  }

  // ---- drag and drop, and the "Move" buttons, heard once per board ----------------------------

  function listen(board) {
    var dragged = null;
    function target(event) {
      var card = event.target.closest ? event.target.closest(".group-idea") : null;
      var section = event.target.closest ? event.target.closest(".cluster") : null;
      return { card: card, section: section };
    }
    function clearMarks() {
      Array.prototype.slice.call(board.node.querySelectorAll(".drop-here")).forEach(function (node) { node.classList.remove("drop-here"); });
    }
    board.node.addEventListener("click", function (event) {
      var pick = event.target.closest ? event.target.closest("[data-pick]") : null;
      if (pick && board.node.contains(pick)) openActions(board, Number(pick.getAttribute("data-pick")));
    });
    board.node.addEventListener("dragstart", function (event) {
      var card = event.target.closest ? event.target.closest(".group-idea") : null;
      if (!card || !mayMove()) return;
      dragged = Number(card.getAttribute("data-idea-id"));
      event.dataTransfer.setData("text/plain", String(dragged));
      event.dataTransfer.effectAllowed = "move";
      card.classList.add("dragging");
    });
    board.node.addEventListener("dragend", function (event) {
      dragged = null;
      clearMarks();
      var card = event.target.closest ? event.target.closest(".group-idea") : null;
      if (card) card.classList.remove("dragging");
    });
    board.node.addEventListener("dragover", function (event) {
      if (!mayMove()) return;
      var where = target(event);
      if (!where.section) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      var mark = where.card && mayManage() && Number(where.card.getAttribute("data-idea-id")) !== dragged ? where.card : where.section;
      if (!mark.classList.contains("drop-here")) { clearMarks(); mark.classList.add("drop-here"); }
    });
    board.node.addEventListener("drop", function (event) {
      if (!mayMove()) return;
      var where = target(event);
      if (!where.section) return;
      event.preventDefault();
      clearMarks();
      var idea = room.state.ideas.get(Number(event.dataTransfer.getData("text/plain")));
      if (!idea) return;
      // Dropped on another card: the facilitator merges the two. Anywhere else in a cluster: a move.
      if (where.card && mayManage()) {
        var other = room.state.ideas.get(Number(where.card.getAttribute("data-idea-id")));
        if (other && other.id !== idea.id) { mergeIdea(idea, other); return; }
      }
      var key = where.section.getAttribute("data-cluster-id");
      var clusterId = key === "" ? null : Number(key);
      if (homeOf(idea) !== clusterId) moveIdea(idea, clusterId);
    });
  }


  function renderSuggestions() {
    var box = $("[data-suggestions]");
    var list = $("[data-suggestion-list]");
    if (!box || !list) return;
    var pending = Array.from(suggestions.values()).filter(function (s) { return s.status === "pending"; });
    box.hidden = pending.length === 0;
    list.replaceChildren();
    pending.forEach(function (suggestion) {
      var item = el("li", "suggestion");
      var form = el("form", "suggestion-form");
      var id = "suggestion-" + suggestion.id + "-name";
      var label = el("label", "", t("Name"));
      label.setAttribute("for", id);
      var input = el("input");
      input.id = id;
      input.value = suggestion.name;
      input.maxLength = 120;
      input.setAttribute("data-focus-key", id);
      form.appendChild(label);
      form.appendChild(input);
      var ideasList = el("ul", "suggestion-ideas");
      ideasList.setAttribute("aria-label", t("Ideas it would hold"));
      suggestion.idea_ids.forEach(function (ideaId) {
        var idea = room.state.ideas.get(ideaId);
        if (idea && idea.status === "published") ideasList.appendChild(el("li", "", idea.text));
      });
      form.appendChild(ideasList);
      var accept = el("button", "button-small", t("Accept"));
      accept.type = "submit";
      accept.setAttribute("data-focus-key", "accept-" + suggestion.id);
      var reject = el("button", "button-small button-secondary", t("Reject"));
      reject.type = "button";
      reject.setAttribute("aria-label", fmt(t("Reject %s"), [suggestion.name]));
      form.appendChild(accept);
      form.appendChild(reject);
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        send({ type: "suggestion.accept", suggestion_id: suggestion.id, name: input.value },
          "suggestions/" + suggestion.id + "/accept/", { name: input.value })
          .then(function (reply) {
            if (reply.ok) { suggestions.delete(suggestion.id); putCluster(reply.data.cluster); }
            report(reply, fmt(t("The cluster “%s” is on the board."), [input.value || suggestion.name]));
            refreshClusters(reply.ok ? null : typedIn(form));
          });
      });
      reject.addEventListener("click", function () {
        send({ type: "suggestion.reject", suggestion_id: suggestion.id }, "suggestions/" + suggestion.id + "/reject/", {})
          .then(function (reply) {
            if (reply.ok) suggestions.delete(suggestion.id);
            report(reply, t("The suggestion is set aside."));
            refreshClusters();
          });
      });
      item.appendChild(form);
      list.appendChild(item);
    });
  }

  function renderPanels() {
    var p = phase();
    var roomPanel = $('[data-group-panel="room"]');
    if (roomPanel) {
      roomPanel.hidden = p !== "group";
      var note = $("[data-group-permission-note]", roomPanel);
      if (note) {
        note.textContent = grouping.participants_may_group
          ? t("You may move ideas between clusters: drag them, or use “Move” on each idea.")
          : t("The facilitator is sorting the ideas into clusters. Watch them take shape here.");
      }
    }
    var wallPanel = $('[data-group-panel="wall"]');
    // The projector and observers see themes from the group phase on, once there are any.
    if (wallPanel) wallPanel.hidden = p === "lobby" || p === "ideate" || clusters.size === 0;
    var permission = $("[data-group-permission]");
    if (permission && document.activeElement !== permission) permission.checked = grouping.participants_may_group;
  }

  // Everything again: on a snapshot, a new phase or a change of who may sort.
  function render() {
    var active = document.activeElement;
    var key = active && active.getAttribute ? active.getAttribute("data-focus-key") : null;
    renderPanels();
    boards.forEach(drawBoard);
    renderSuggestions();
    if (key) {
      var again = document.querySelector('[data-focus-key="' + key + '"]');
      if (again) again.focus();
    }
  }

  // What is typed in a form's fields, by their focus keys.
  function typedIn(form) {
    var typed = {};
    dom.$all("input[data-focus-key]", form).forEach(function (field) {
      typed[field.getAttribute("data-focus-key")] = field.value;
    });
    return typed;
  }

  // The clusters changed (added, renamed, tagged, reordered, deleted): their sections follow,
  // the cards stay where they are. Keep the keyboard, and anything half typed, in place.
  // `kept` is what was typed in a form the server refused ({ focus key: text }): the form is
  // drawn again with it, though the keyboard was on its button (docs/protocol.md).
  function refreshClusters(kept) {
    var active = document.activeElement;
    var key = active && active.getAttribute ? active.getAttribute("data-focus-key") : null;
    var typed = key && active.tagName === "INPUT" ? active.value : null;
    renderPanels();
    boards.forEach(syncSections);
    renderSuggestions();
    Object.keys(kept || {}).forEach(function (keptKey) {
      var field = document.querySelector('[data-focus-key="' + keptKey + '"]');
      if (field) field.value = kept[keptKey];
    });
    if (key && document.activeElement !== active) {
      var again = document.querySelector('[data-focus-key="' + key + '"]');
      if (again) {
        if (typed !== null) again.value = typed;
        again.focus();
      }
    }
  }

  // The flat wall's cards (ideate, vote, results) show the merged words and tags too.
  if (room.decorateIdea) {
    room.decorateIdea(function (idea, item) {
      if (idea.merged && idea.merged.length) item.appendChild(mergedList(idea));
      if (idea.tags && idea.tags.length) item.appendChild(tagList(idea.tags));
    });
  }

  // ---- the room's snapshot and events ---------------------------------------------------------

  ["console", "room", "wall"].forEach(makeBoard);

  room.on("snapshot", function (snapshot) {
    clusters = new Map();
    (snapshot.clusters || []).forEach(putCluster);
    grouping = snapshot.grouping || { participants_may_group: false };
    suggestions = new Map();
    (snapshot.suggestions || []).forEach(function (s) { suggestions.set(s.id, s); });
    render();
  });
  room.on("cluster.created", function (data) {
    putCluster(data.cluster);
    refreshClusters();
    data.ideas.forEach(putIdea);
  });
  room.on("cluster.renamed", function (data) { putCluster(data.cluster); refreshClusters(); });
  room.on("cluster.tagged", function (data) { putCluster(data.cluster); refreshClusters(); });
  room.on("clusters.reordered", function (data) { data.clusters.forEach(putCluster); refreshClusters(); });
  room.on("cluster.deleted", function (data) {
    clusters.delete(data.cluster_id);
    refreshClusters();
    data.ideas.forEach(putIdea);
  });
  room.on("idea.moved", function (data) { putIdea(data.idea); });
  room.on("idea.tagged", function (data) { putIdea(data.idea); });
  room.on("idea.merged", function (data) { putIdea(data.merged); putIdea(data.idea); });
  room.on("grouping.permission_changed", function (data) {
    grouping = { participants_may_group: data.participants_may_group };
    if (role === "citizen") {
      room.announce(data.participants_may_group
        ? t("You may now move ideas between clusters.")
        : t("The facilitator sorts the ideas now; you can watch."));
      render();
    } else {
      renderPanels();
    }
  });
  room.on("suggestions.proposed", function (data) {
    suggestions = new Map();
    data.suggestions.forEach(function (s) { suggestions.set(s.id, s); });
    room.announce(data.suggestions.length
      ? fmt(room.nt("%s suggested cluster is ready.", "%s suggested clusters are ready.", data.suggestions.length), [data.suggestions.length])
      : t("No clusters to suggest: there are too few unsorted ideas that resemble each other."));
    renderSuggestions();
  });
  room.on("suggestion.resolved", function (data) { suggestions.delete(data.suggestion.id); renderSuggestions(); });
  // room.js has taken each of these into its state before they reach here.
  ["idea.posted", "idea.edited", "idea.withdrawn", "idea.hidden", "idea.held"].forEach(function (type) {
    room.on(type, function (data) {
      var known = room.state.ideas.get(data.idea.id);
      placeIdea(known && known.revision > data.idea.revision ? known : data.idea);
    });
  });
  room.on("idea.deleted", function (data) { removeIdea(data.idea_id); });
  room.on("phase.changed", render);

  // ---- the console's own forms, sent without leaving the page ---------------------------------

  var createForm = $("[data-cluster-create-form]");
  if (createForm) {
    createForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var input = createForm.querySelector("input[name=name]");
      send({ type: "cluster.create", name: input.value }, "clusters/", { name: input.value }).then(function (reply) {
        if (reply.ok) { putCluster(reply.data.cluster); input.value = ""; }
        report(reply, fmt(t("The cluster “%s” is on the board."), [reply.ok ? reply.data.cluster.name : ""]));
        refreshClusters();
      });
    });
  }
  var suggestForm = $("[data-suggest-form]");
  if (suggestForm) {
    suggestForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = suggestForm.querySelector("button");
      button.disabled = true;
      room.announce(t("Looking for clusters…"));
      send({ type: "clusters.suggest" }, "suggestions/", {}).then(function (reply) {
        button.disabled = false;
        if (reply.ok) {
          suggestions = new Map();
          reply.data.suggestions.forEach(function (s) { suggestions.set(s.id, s); });
        } else {
          report(reply);
        }
        renderSuggestions();
      });
    });
  }
  var permission = $("[data-group-permission]");
  if (permission) {
    document.querySelectorAll("[data-no-script-only]").forEach(function (node) { node.hidden = true; });
    permission.addEventListener("change", function () {
      var allowed = permission.checked;
      var fields = allowed ? { allowed: "on" } : {};
      send({ type: "grouping.allow", allowed: allowed }, "grouping/permission/", fields).then(function (reply) {
        if (reply.ok) grouping = { participants_may_group: reply.data.participants_may_group };
        report(reply, allowed ? t("Participants may now sort ideas.") : t("Participants now watch while facilitators sort ideas."));
        renderPanels();
      });
    });
  }

  // ---- the near-duplicate hint under the citizen's idea box -------------------------------------

  var box = $("[data-idea-text]");
  if (box && role === "citizen") {
    var hint = el("div", "similar-ideas");
    hint.id = "similar-ideas";
    hint.setAttribute("aria-live", "polite");
    hint.setAttribute("data-similar", "");
    box.parentNode.insertBefore(hint, box.nextSibling);
    box.setAttribute("aria-describedby", ((box.getAttribute("aria-describedby") || "") + " similar-ideas").trim());
    var timer = null;
    var asked = "";

    function showSimilar(matches) {
      hint.replaceChildren();
      if (!matches.length) return;
      hint.appendChild(el("p", "similar-title", t("Already on the wall, nearly the same:")));
      var list = el("ul");
      matches.forEach(function (match) {
        list.appendChild(el("li", "", match.idea.text));
      });
      hint.appendChild(list);
      hint.appendChild(el("p", "help", t("You can support one of these instead of posting the same idea again.")));
    }

    function ask() {
      var text = box.value.trim();
      if (text === asked) return;
      asked = text;
      if (text.length < 8 || phase() !== "ideate") { showSimilar([]); return; }
      var answer;
      if (room.isLive && room.isLive()) {
        answer = room.request({ type: "idea.similar", text: text });
      } else {
        answer = dom.getJson(base + "ideas/similar/?text=" + encodeURIComponent(text));
      }
      answer.then(function (reply) {
        // Only the answer to what is in the box now: typing may have gone on meanwhile.
        if (reply.ok && asked === text) showSimilar(reply.data.ideas);
      });
    }

    box.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, 600);
    });
    var composeForm = $("[data-idea-form]");
    if (composeForm) composeForm.addEventListener("submit", function () { asked = ""; showSimilar([]); });
  }
})();
