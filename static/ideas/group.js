/*
 * Grouping on every screen: the facilitator's board (drag and drop, or "Move to…" by
 * keyboard and touch), the citizen's clusters, the projector's themes, suggested
 * clusters for facilitators, and the near-duplicate hint while a citizen types.
 *
 * It keeps the clusters (and, for facilitators, the suggestions) from each snapshot and
 * event, and rebuilds the board from that state; the ideas are room.js's state.
 * All text from people is set with textContent.
 */
(function () {
  "use strict";

  var room = window.SamskabRoom;
  if (!room) return;
  var t = room.t;
  var fmt = room.fmt;
  var config = room.config;
  var role = config.role;
  var base = "/w/" + config.code + "/";

  var clusters = new Map();
  var suggestions = new Map();
  var grouping = { participants_may_group: false };

  function $(selector, root) { return (root || document).querySelector(selector); }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function phase() { return room.state.workshop ? room.state.workshop.phase : ""; }
  function short(text) { return text.length > 60 ? text.slice(0, 57) + "…" : text; }

  // ---- who may do what now (the server checks again) ----------------------------------

  function sortingPhase() { return phase() === "ideate" || phase() === "group"; }
  function mayManage() { return role === "facilitator" && sortingPhase(); }
  function mayMove() {
    if (role === "facilitator") return sortingPhase();
    return role === "citizen" && phase() === "group" && grouping.participants_may_group;
  }
  function mayTag() { return role === "facilitator" && phase() !== "closed"; }

  // ---- talking to the server ---------------------------------------------------------------

  function csrfToken() {
    var input = $("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // The socket when it is open; otherwise the same write over HTTP (docs/protocol.md).
  function send(frame, path, fields) {
    if (room.isLive && room.isLive()) return room.request(frame);
    var body = new FormData();
    Object.keys(fields || {}).forEach(function (key) { body.append(key, fields[key]); });
    return fetch(base + path, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
    }).then(function (response) {
      return response.json().then(function (reply) {
        return reply.ok ? { ok: true, data: reply } : reply;
      });
    }).catch(function () {
      return { ok: false, code: "disconnected", message: t("No connection. Try again in a moment.") };
    });
  }

  function report(reply, success) {
    if (reply.ok) { if (success) room.announce(success); return true; }
    room.announce(reply.message || t("That did not work. Try again."));
    return false;
  }

  function putIdea(idea) {
    if (room.upsertIdea) room.upsertIdea(idea);
    else { room.state.ideas.set(idea.id, idea); room.renderIdeas(); }
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

  // ---- writes --------------------------------------------------------------------------------

  function moveIdea(idea, clusterId) {
    send({ type: "idea.move", idea_id: idea.id, cluster_id: clusterId }, "ideas/" + idea.id + "/move/",
      { cluster_id: clusterId === null ? "" : String(clusterId) })
      .then(function (reply) {
        if (reply.ok && reply.data.idea) putIdea(reply.data.idea);
        report(reply, fmt(t("Moved to %s"), [clusterName(clusterId)]));
        render();
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
        render();
      });
  }

  // ---- building the board -------------------------------------------------------------------

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
    input.setAttribute("data-focus-key", focusKey);
    var save = el("button", "button-small", t("Save tags"));
    save.type = "submit";
    form.appendChild(labelNode);
    form.appendChild(input);
    form.appendChild(save);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var tags = input.value.split(",").map(function (s) { return s.trim(); }).filter(Boolean);
      onSave(tags, input.value);
    });
    return form;
  }

  function moveSelect(idea) {
    var wrap = el("div", "move-to");
    var id = "move-" + idea.id;
    var label = el("label", "", t("Move to…"));
    label.setAttribute("for", id);
    var select = el("select");
    select.id = id;
    select.setAttribute("data-focus-key", id);
    // The idea's words tell the many "Move to" lists apart for a screen reader.
    select.setAttribute("aria-describedby", "group-idea-" + idea.id);
    var unsorted = el("option", "", t("Unsorted"));
    unsorted.value = "";
    select.appendChild(unsorted);
    orderedClusters().forEach(function (cluster) {
      var option = el("option", "", cluster.name);
      option.value = String(cluster.id);
      select.appendChild(option);
    });
    select.value = idea.cluster_id === null ? "" : String(idea.cluster_id);
    select.addEventListener("change", function () {
      moveIdea(idea, select.value === "" ? null : Number(select.value));
    });
    wrap.appendChild(label);
    wrap.appendChild(select);
    return wrap;
  }

  function mergeForm(idea) {
    var others = wallIdeas().filter(function (other) { return other.id !== idea.id; });
    var form = el("form", "merge-form");
    if (!others.length) return form;
    var id = "merge-" + idea.id;
    var label = el("label", "", t("Merge this duplicate into…"));
    label.setAttribute("for", id);
    var select = el("select");
    select.id = id;
    select.setAttribute("data-focus-key", id);
    select.setAttribute("aria-describedby", "group-idea-" + idea.id);
    others.forEach(function (other) {
      var option = el("option", "", short(other.text));
      option.value = String(other.id);
      select.appendChild(option);
    });
    var button = el("button", "button-small button-secondary", t("Merge"));
    button.type = "submit";
    form.appendChild(label);
    form.appendChild(select);
    form.appendChild(button);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var into = Number(select.value);
      var target = room.state.ideas.get(into);
      if (!window.confirm(fmt(t("Merge “%s” into “%s”? Both keep their words."), [short(idea.text), short(target ? target.text : "")]))) return;
      send({ type: "idea.merge", idea_id: idea.id, into_id: into }, "ideas/" + idea.id + "/merge/", { into_id: String(into) })
        .then(function (reply) {
          if (reply.ok) { putIdea(reply.data.merged); putIdea(reply.data.idea); }
          report(reply, t("The ideas are merged."));
          render();
        });
    });
    return form;
  }

  function ideaCard(idea) {
    var item = el("li", "idea group-idea");
    item.setAttribute("data-idea-id", String(idea.id));
    var text = el("p", "idea-text", idea.text);
    text.id = "group-idea-" + idea.id;
    item.appendChild(text);
    item.appendChild(el("p", "idea-meta", idea.author_name));
    if (idea.merged && idea.merged.length) {
      var merged = el("ul", "merged-ideas");
      merged.setAttribute("aria-label", t("Also said, merged into this idea"));
      idea.merged.forEach(function (m) {
        merged.appendChild(el("li", "", "“" + m.text + "” — " + m.author_name));
      });
      item.appendChild(merged);
    }
    if (idea.tags && idea.tags.length) item.appendChild(tagList(idea.tags));
    if (mayMove()) {
      item.draggable = true;
      item.addEventListener("dragstart", function (event) {
        event.dataTransfer.setData("text/plain", String(idea.id));
        event.dataTransfer.effectAllowed = "move";
        item.classList.add("dragging");
      });
      item.addEventListener("dragend", function () { item.classList.remove("dragging"); });
      item.appendChild(moveSelect(idea));
    }
    if (role === "facilitator" && (mayManage() || mayTag())) {
      var more = el("details", "idea-tools");
      more.appendChild(el("summary", "", t("Merge or tag")));
      if (mayManage()) more.appendChild(mergeForm(idea));
      if (mayTag()) {
        more.appendChild(tagForm(idea.tags || [], t("Tags (comma-separated)"), "idea-" + idea.id, function (tags) {
          send({ type: "idea.tag", idea_id: idea.id, tags: tags }, "ideas/" + idea.id + "/tags/", { tags: tags.join(",") })
            .then(function (reply) {
              if (reply.ok) putIdea(reply.data.idea);
              report(reply, t("The idea's tags are saved."));
              render();
            });
        }));
      }
      item.appendChild(more);
    }
    return item;
  }

  function dropTarget(list, clusterId) {
    if (!mayMove()) return;
    list.addEventListener("dragover", function (event) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      list.classList.add("drop-here");
    });
    list.addEventListener("dragleave", function () { list.classList.remove("drop-here"); });
    list.addEventListener("drop", function (event) {
      event.preventDefault();
      list.classList.remove("drop-here");
      var idea = room.state.ideas.get(Number(event.dataTransfer.getData("text/plain")));
      if (idea && idea.cluster_id !== clusterId) moveIdea(idea, clusterId);
    });
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
    rename.appendChild(label);
    rename.appendChild(input);
    rename.appendChild(save);
    rename.addEventListener("submit", function (event) {
      event.preventDefault();
      send({ type: "cluster.rename", cluster_id: cluster.id, name: input.value }, "clusters/" + cluster.id + "/rename/", { name: input.value })
        .then(function (reply) {
          if (reply.ok) putCluster(reply.data.cluster);
          report(reply, t("The cluster is renamed."));
          render();
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
          if (reply.ok) clusters.delete(cluster.id);
          report(reply, t("The cluster is removed; its ideas are unsorted again."));
          render();
        });
    });
    return tools;
  }

  function clusterSection(cluster, ideas, index, count, panel) {
    var section = el("section", "cluster");
    section.setAttribute("data-cluster-id", cluster ? String(cluster.id) : "");
    var headingId = panel + "-cluster-" + (cluster ? cluster.id : "unsorted");
    section.setAttribute("aria-labelledby", headingId);
    var heading = el("h3", "", cluster ? cluster.name : t("Unsorted ideas"));
    heading.id = headingId;
    heading.appendChild(el("span", "count", " (" + ideas.length + ")"));
    section.appendChild(heading);
    if (cluster && cluster.tags.length) section.appendChild(tagList(cluster.tags));
    if (cluster && panel === "console" && mayManage()) section.appendChild(clusterControls(cluster, index, count));
    if (cluster && panel === "console" && mayTag()) {
      section.appendChild(tagForm(cluster.tags, t("Cluster tags (comma-separated)"), "cluster-" + cluster.id, function (tags) {
        send({ type: "cluster.tag", cluster_id: cluster.id, tags: tags }, "clusters/" + cluster.id + "/tags/", { tags: tags.join(",") })
          .then(function (reply) {
            if (reply.ok) putCluster(reply.data.cluster);
            report(reply, t("The cluster's tags are saved."));
            render();
          });
      }));
    }
    var list = el("ul", "cluster-ideas");
    list.setAttribute("aria-labelledby", headingId);
    ideas.forEach(function (idea) { list.appendChild(ideaCard(idea)); });
    if (!ideas.length) list.appendChild(el("li", "empty", mayMove() ? t("Drop ideas here, or use “Move to…”.") : t("No ideas yet.")));
    dropTarget(list, cluster ? cluster.id : null);
    section.appendChild(list);
    return section;
  }

  function renderBoard(panel) {
    var node = $('[data-group-panel="' + panel + '"] [data-group-board]');
    if (!node) return;
    var ideas = wallIdeas();
    var ordered = orderedClusters();
    var fragment = document.createDocumentFragment();
    ordered.forEach(function (cluster, index) {
      var inside = ideas.filter(function (idea) { return idea.cluster_id === cluster.id; });
      fragment.appendChild(clusterSection(cluster, inside, index, ordered.length, panel));
    });
    var unsorted = ideas.filter(function (idea) { return idea.cluster_id === null || !clusters.has(idea.cluster_id); });
    if (unsorted.length || mayMove()) fragment.appendChild(clusterSection(null, unsorted, -1, 0, panel));
    node.replaceChildren(fragment);
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
            render();
          });
      });
      reject.addEventListener("click", function () {
        send({ type: "suggestion.reject", suggestion_id: suggestion.id }, "suggestions/" + suggestion.id + "/reject/", {})
          .then(function (reply) {
            if (reply.ok) suggestions.delete(suggestion.id);
            report(reply, t("The suggestion is set aside."));
            render();
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
          ? t("You may move ideas between clusters: drag them, or use “Move to…” on each idea.")
          : t("The facilitator is sorting the ideas into clusters. Watch them take shape here.");
      }
    }
    var wallPanel = $('[data-group-panel="wall"]');
    // The projector and observers see themes from the group phase on, once there are any.
    if (wallPanel) wallPanel.hidden = p === "lobby" || p === "ideate" || clusters.size === 0;
    var permission = $("[data-group-permission]");
    if (permission && document.activeElement !== permission) permission.checked = grouping.participants_may_group;
  }

  function render() {
    // Keep the keyboard where it was, and anything half typed, across the rebuild.
    var active = document.activeElement;
    var key = active && active.getAttribute ? active.getAttribute("data-focus-key") : null;
    var typed = key && active.tagName === "INPUT" ? active.value : null;
    renderPanels();
    ["console", "room", "wall"].forEach(renderBoard);
    renderSuggestions();
    if (key) {
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
      if (idea.merged && idea.merged.length) {
        var merged = el("ul", "merged-ideas");
        merged.setAttribute("aria-label", t("Also said, merged into this idea"));
        idea.merged.forEach(function (m) { merged.appendChild(el("li", "", "“" + m.text + "” — " + m.author_name)); });
        item.appendChild(merged);
      }
      if (idea.tags && idea.tags.length) item.appendChild(tagList(idea.tags));
    });
  }

  // ---- the room's snapshot and events ---------------------------------------------------------

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
    data.ideas.forEach(putIdea);
    render();
  });
  room.on("cluster.renamed", function (data) { putCluster(data.cluster); render(); });
  room.on("cluster.tagged", function (data) { putCluster(data.cluster); render(); });
  room.on("clusters.reordered", function (data) { data.clusters.forEach(putCluster); render(); });
  room.on("cluster.deleted", function (data) {
    clusters.delete(data.cluster_id);
    data.ideas.forEach(putIdea);
    render();
  });
  room.on("idea.moved", function (data) { putIdea(data.idea); render(); });
  room.on("idea.tagged", function (data) { putIdea(data.idea); render(); });
  room.on("idea.merged", function (data) { putIdea(data.merged); putIdea(data.idea); render(); });
  room.on("grouping.permission_changed", function (data) {
    grouping = { participants_may_group: data.participants_may_group };
    if (role === "citizen") {
      room.announce(data.participants_may_group
        ? t("You may now move ideas between clusters.")
        : t("The facilitator sorts the ideas now; you can watch."));
    }
    render();
  });
  room.on("suggestions.proposed", function (data) {
    suggestions = new Map();
    data.suggestions.forEach(function (s) { suggestions.set(s.id, s); });
    room.announce(data.suggestions.length
      ? fmt(room.nt("%s suggested cluster is ready.", "%s suggested clusters are ready.", data.suggestions.length), [data.suggestions.length])
      : t("No clusters to suggest: there are too few unsorted ideas that resemble each other."));
    render();
  });
  room.on("suggestion.resolved", function (data) { suggestions.delete(data.suggestion.id); render(); });
  ["idea.posted", "idea.edited", "idea.withdrawn", "phase.changed"].forEach(function (type) {
    room.on(type, render);
  });

  // ---- the console's own forms, sent without leaving the page ---------------------------------

  var createForm = $("[data-cluster-create-form]");
  if (createForm) {
    createForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var input = createForm.querySelector("input[name=name]");
      send({ type: "cluster.create", name: input.value }, "clusters/", { name: input.value }).then(function (reply) {
        if (reply.ok) { putCluster(reply.data.cluster); input.value = ""; }
        report(reply, fmt(t("The cluster “%s” is on the board."), [reply.ok ? reply.data.cluster.name : ""]));
        render();
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
        render();
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
        render();
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
        answer = fetch(base + "ideas/similar/?text=" + encodeURIComponent(text), {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        }).then(function (response) { return response.json(); })
          .then(function (reply) { return reply.ok ? { ok: true, data: reply } : reply; })
          .catch(function () { return { ok: false }; });
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
