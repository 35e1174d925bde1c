/*
 * Voting on every screen: dots, approvals or a ranking on the citizen's phone,
 * live tallies on the console, results on the phone, projector and observer view.
 *
 * The server is the judge of every vote: a tap sends the wanted count, and the
 * phone shows what the server answers (the ack, or ballot.updated for the
 * participant's other tabs). Nothing here counts dots on its own.
 */
(function () {
  "use strict";

  var room = window.SamskabRoom;
  if (!room) return;
  var t = room.t;
  var fmt = room.fmt;
  var ngettext = window.SamskabDom.nt;
  var role = room.config.role;

  // All taken from each snapshot, the page's own first (static/workshops/room.js).
  var voting = null;
  var ballot = null;
  var mine = null;
  var tallies = null;
  var talliesAsOf = 0;
  var voters = null;
  // The clock reading of the count of voters shown: an older count arriving late (two
  // server processes can finish their tallies out of order) is not shown over it.
  var votersAsOf = 0;
  var phase = "";
  var clusters = [];
  var busy = false;
  // Taps on +/− that land while a vote is being saved, per "type:id"; sent after it.
  var pendingSteps = {};

  var dom = window.SamskabDom;
  var $ = dom.$;
  var $all = dom.$all;
  var el = dom.el;
  var short = dom.short;

  function voting_open() { return role === "citizen" && phase === "vote" && ballot !== null; }

  // ---- own ballot -------------------------------------------------------------------

  function ownVote(type, id) {
    if (!mine) return null;
    for (var i = 0; i < mine.votes.length; i += 1) {
      var vote = mine.votes[i];
      if (vote.target_type === type && vote.target_id === id) return vote;
    }
    return null;
  }

  function takeOwn(data) {
    // Two tabs can hear updates out of order; the highest revision is the truth.
    if (mine && data.revision < mine.revision) return;
    mine = data;
    renderOwn();
  }

  function remainingText() {
    if (!mine || mine.remaining === null || mine.remaining === undefined) return "";
    var n = mine.remaining;
    if (ballot.method === "ranking") return fmt(ngettext("%s place left", "%s places left", n), [n]);
    return fmt(ngettext("%s dot left", "%s dots left", n), [n]);
  }

  function showError(message) {
    var box = $("[data-vote-error]");
    if (!box) return;
    box.textContent = message || "";
    box.hidden = !message;
  }

  function send(frame) {
    if (busy) return;
    busy = true;
    showError("");
    room.request(frame).then(function (reply) {
      busy = false;
      if (reply.ok) takeOwn(reply.data);
      else showError(reply.message);
      var keys = Object.keys(pendingSteps);
      if (keys.length) {
        var key = keys[0];
        var delta = pendingSteps[key];
        delete pendingSteps[key];
        var parts = key.split(":");
        step(parts[0], Number(parts[1]), delta);
      }
    });
  }

  function step(type, id, delta) {
    // A quick second tap counts: it waits for the first and builds on its answer.
    if (busy) {
      var key = type + ":" + id;
      pendingSteps[key] = (pendingSteps[key] || 0) + delta;
      return;
    }
    var vote = ownVote(type, id);
    setDots(type, id, Math.max(0, (vote ? vote.weight : 0) + delta));
  }

  function setDots(type, id, dots) {
    send({ type: "vote.set", target_type: type, target_id: id, dots: dots });
  }
  function approve(type, id, approved) {
    send({ type: "vote.approve", target_type: type, target_id: id, approved: approved });
  }
  function rankOrder() {
    if (!mine) return [];
    return mine.votes.slice().sort(function (a, b) { return a.rank - b.rank; }).map(function (v) { return v.target_id; });
  }
  function rank(order) { send({ type: "vote.rank", target_type: ballot.target, order: order }); }

  // ---- controls on each item ----------------------------------------------------------

  function controlsFor(type, id, label) {
    var box = el("div", "vote-controls");
    box.setAttribute("data-vote-target", type + ":" + id);
    box.setAttribute("data-vote-label", label);
    fillControls(box, type, id, label);
    return box;
  }

  function fillControls(box, type, id, label) {
    box.textContent = "";
    var vote = ownVote(type, id);
    var name = short(label);
    if (ballot.method === "dots") {
      var count = vote ? vote.weight : 0;
      var less = el("button", "vote-less", "−");
      less.type = "button";
      less.setAttribute("aria-label", fmt(t("Take a dot from %s"), [name]));
      less.disabled = count === 0;
      less.addEventListener("click", function () { step(type, id, -1); });
      var shown = el("span", "vote-count", fmt(ngettext("%s dot", "%s dots", count), [count]));
      var more = el("button", "vote-more", "+");
      more.type = "button";
      more.setAttribute("aria-label", fmt(t("Give a dot to %s"), [name]));
      more.disabled = count >= ballot.max_dots_per_item || !mine || mine.remaining === 0;
      more.addEventListener("click", function () { step(type, id, 1); });
      box.appendChild(less);
      box.appendChild(shown);
      box.appendChild(more);
    } else if (ballot.method === "approval") {
      var on = vote !== null;
      var toggle = el("button", "vote-toggle", on ? t("Supported") : t("Support"));
      toggle.type = "button";
      toggle.setAttribute("aria-pressed", on ? "true" : "false");
      toggle.setAttribute("aria-label", fmt(t("Support %s"), [name]));
      toggle.addEventListener("click", function () { approve(type, id, !on); });
      box.appendChild(toggle);
    } else {
      var order = rankOrder();
      var place = order.indexOf(id);
      if (place >= 0) {
        box.appendChild(el("span", "vote-rank", fmt(t("Your number %s"), [place + 1])));
      } else {
        var add = el("button", "vote-add", t("Add to my ranking"));
        add.type = "button";
        add.setAttribute("aria-label", fmt(t("Add %s to my ranking"), [name]));
        add.disabled = order.length >= ballot.rank_count;
        add.addEventListener("click", function () { rank(order.concat([id])); });
        box.appendChild(add);
      }
    }
  }

  // Refresh every control in place, so keyboard focus stays on the button pressed.
  function refreshControls() {
    $all("[data-vote-target]").forEach(function (box) {
      var parts = box.getAttribute("data-vote-target").split(":");
      var focused = document.activeElement && box.contains(document.activeElement) ? document.activeElement.className : null;
      fillControls(box, parts[0], Number(parts[1]), box.getAttribute("data-vote-label"));
      if (focused) {
        var again = box.querySelector("." + focused.split(" ")[0]);
        if (again && !again.disabled) again.focus();
        else if (box.querySelector("button:not([disabled])")) box.querySelector("button:not([disabled])").focus();
      }
    });
  }

  room.decorateIdea(function (idea, li) {
    if (!voting_open() || ballot.target !== "idea") return;
    li.appendChild(controlsFor("idea", idea.id, idea.text));
  });

  // ---- the panel: status, ranking, clusters, stray votes ------------------------------

  function labelOf(type, id) {
    if (type === "idea") {
      var idea = room.state.ideas.get(id);
      return idea && idea.status === "published" ? idea.text : null;
    }
    for (var i = 0; i < clusters.length; i += 1) if (clusters[i].id === id) return clusters[i].name;
    return null;
  }

  function renderRanking() {
    var box = $("[data-vote-ranking]");
    if (!box) return;
    box.hidden = !(voting_open() && ballot.method === "ranking");
    if (box.hidden) return;
    var list = $("[data-ranking-list]");
    var focusedKey = document.activeElement && list.contains(document.activeElement) ? document.activeElement.getAttribute("data-key") : null;
    list.textContent = "";
    var order = rankOrder();
    $("[data-ranking-empty]").hidden = order.length > 0;
    order.forEach(function (id, index) {
      var name = labelOf(ballot.target, id) || t("(no longer on the wall)");
      var li = el("li", "ranking-item");
      li.appendChild(el("span", "ranking-label", name));
      function button(text, label, key, disabled, newOrder) {
        var b = el("button", "ranking-" + key, text);
        b.type = "button";
        b.setAttribute("aria-label", fmt(label, [short(name)]));
        b.setAttribute("data-key", key + ":" + id);
        b.disabled = disabled;
        b.addEventListener("click", function () { rank(newOrder()); });
        li.appendChild(b);
      }
      button("↑", t("Move %s up"), "up", index === 0, function () {
        var next = order.slice(); next.splice(index, 1); next.splice(index - 1, 0, id); return next;
      });
      button("↓", t("Move %s down"), "down", index === order.length - 1, function () {
        var next = order.slice(); next.splice(index, 1); next.splice(index + 1, 0, id); return next;
      });
      button("×", t("Remove %s from my ranking"), "remove", false, function () {
        return order.filter(function (other) { return other !== id; });
      });
      list.appendChild(li);
    });
    if (focusedKey) {
      var again = list.querySelector('[data-key="' + focusedKey + '"]');
      if (again && !again.disabled) again.focus();
    }
  }

  function renderClusters() {
    var box = $("[data-vote-clusters]");
    if (!box) return;
    box.hidden = !(voting_open() && ballot.target === "cluster");
    if (box.hidden) return;
    var list = $("[data-cluster-vote-list]");
    list.textContent = "";
    clusters.forEach(function (cluster) {
      var li = el("li", "cluster-vote");
      li.appendChild(el("span", "cluster-vote-name", cluster.name));
      // A theme is voted on for what is in it: show its ideas under its name.
      var inside = el("ul", "cluster-vote-ideas");
      room.state.ideas.forEach(function (idea) {
        if (idea.status === "published" && idea.cluster_id === cluster.id) inside.appendChild(el("li", "", idea.text));
      });
      if (inside.childNodes.length) li.appendChild(inside);
      li.appendChild(controlsFor("cluster", cluster.id, cluster.name));
      list.appendChild(li);
    });
  }

  // Votes on items since hidden or merged still hold dots: let the voter take them back.
  function renderStray() {
    var box = $("[data-vote-stray]");
    if (!box) return;
    var stray = voting_open() && mine ? mine.votes.filter(function (v) { return labelOf(v.target_type, v.target_id) === null; }) : [];
    box.hidden = stray.length === 0;
    var list = $("[data-vote-stray-list]");
    list.textContent = "";
    stray.forEach(function (vote) {
      var li = el("li");
      var back = el("button", "vote-take-back", t("Take this vote back"));
      back.type = "button";
      back.addEventListener("click", function () {
        if (ballot.method === "dots") setDots(vote.target_type, vote.target_id, 0);
        else if (ballot.method === "approval") approve(vote.target_type, vote.target_id, false);
        else rank(rankOrder().filter(function (id) { return id !== vote.target_id; }));
      });
      li.appendChild(back);
      list.appendChild(li);
    });
  }

  function renderOwn() {
    var status = $("[data-vote-remaining]");
    if (status && ballot) status.textContent = remainingText();
    refreshControls();
    renderRanking();
    renderStray();
  }

  function renderPanel() {
    var panel = $("[data-vote-panel]");
    if (panel) panel.hidden = !voting_open();
    // The counter sticks beside the list being voted on: the wall when ideas get the
    // votes, the panel's own list of themes when clusters do.
    var status = $("[data-vote-remaining]");
    var wallList = $("[data-idea-list]");
    if (status && wallList && ballot) {
      if (voting_open() && ballot.target === "idea") {
        if (status.nextElementSibling !== wallList) wallList.parentNode.insertBefore(status, wallList);
      } else if (panel && !panel.contains(status)) {
        panel.insertBefore(status, $("[data-vote-error]"));
      }
    }
    var help = $("[data-vote-help]");
    if (help && ballot) {
      var onClusters = ballot.target === "cluster";
      if (ballot.method === "dots") {
        var most = ballot.max_dots_per_item;
        help.textContent = fmt(onClusters
          ? ngettext("Spread your dots over the themes you support, at most %s on one. You can move them until voting ends.", "Spread your dots over the themes you support, at most %s on one. You can move them until voting ends.", most)
          : ngettext("Spread your dots over the ideas you support, at most %s on one. You can move them until voting ends.", "Spread your dots over the ideas you support, at most %s on one. You can move them until voting ends.", most), [most]);
      } else if (ballot.method === "approval") {
        help.textContent = onClusters
          ? t("Mark every theme you could live with. You can change your marks until voting ends.")
          : t("Mark every idea you could live with. You can change your marks until voting ends.");
      } else {
        help.textContent = fmt(ngettext("Choose your top %s and put them in order, best first.", "Choose your top %s and put them in order, best first.", ballot.rank_count), [ballot.rank_count]);
      }
    }
    renderClusters();
    renderOwn();
  }

  // ---- tallies and results -------------------------------------------------------------

  function totalText(total) {
    if (ballot.method === "approval") return fmt(ngettext("%s approval", "%s approvals", total), [total]);
    if (ballot.method === "ranking") return fmt(ngettext("%s point", "%s points", total), [total]);
    return fmt(ngettext("%s dot", "%s dots", total), [total]);
  }

  function renderTallies() {
    var most = 0;
    (tallies || []).forEach(function (item) { most = Math.max(most, item.total); });
    $all("[data-tally-list]").forEach(function (list) {
      list.textContent = "";
      (tallies || []).forEach(function (item) {
        var li = el("li", "tally");
        li.appendChild(el("span", "tally-position", item.position + "."));
        li.appendChild(el("span", "tally-label", item.label));
        li.appendChild(el("span", "tally-total", totalText(item.total)));
        li.appendChild(el("span", "tally-supporters", fmt(ngettext("%s supporter", "%s supporters", item.supporters), [item.supporters])));
        // The ranked chart: a bar as long as the item's share of the leader's votes. Set
        // through the style object, which the Content Security Policy allows (an inline
        // style attribute it would block).
        var bar = el("span", "tally-bar");
        bar.setAttribute("aria-hidden", "true");
        var fill = el("span", "tally-fill");
        fill.style.width = (most ? Math.round((item.total / most) * 100) : 0) + "%";
        bar.appendChild(fill);
        li.appendChild(bar);
        list.appendChild(li);
      });
    });
    renderVoters();
    $all("[data-tallies-empty]").forEach(function (node) { node.hidden = !!(tallies && tallies.length); });
    $all("[data-results-waiting]").forEach(function (node) { node.hidden = tallies !== null; });
    $all("[data-vote-results]").forEach(function (section) {
      section.hidden = !(phase === "results" || (tallies !== null && tallies.length > 0 && phase !== "vote") || (tallies !== null && ballot.tallies_public));
    });
    var state = $("[data-tallies-state]");
    if (state && ballot) {
      state.textContent = ballot.tallies_public ? t("The room sees the tallies.") : t("Only facilitators see the tallies until you reveal them.");
    }
    var reveal = $("[data-reveal-form]");
    if (reveal && ballot) reveal.hidden = ballot.revealed;
  }

  // How many have voted, for the projector while the tallies stay hidden.
  function renderVoters() {
    $all("[data-vote-progress]").forEach(function (node) { node.hidden = phase !== "vote"; });
    if (voters === null || voters === undefined) return;
    $all("[data-voters]").forEach(function (node) {
      node.textContent = fmt(ngettext("%s person has voted", "%s people have voted", voters), [voters]);
    });
  }

  function takeTallies(list, asOf) {
    if (asOf < talliesAsOf) return;
    talliesAsOf = asOf;
    tallies = list;
    renderTallies();
  }

  function renderAll() {
    renderPanel();
    renderTallies();
  }

  // ---- the room's events ---------------------------------------------------------------

  room.on("snapshot", function (snapshot) {
    voting = snapshot.voting;
    ballot = voting.ballot;
    mine = voting.mine;
    tallies = voting.tallies;
    talliesAsOf = voting.tallies_as_of;
    voters = voting.voters;
    votersAsOf = voting.tallies_as_of;
    phase = snapshot.workshop.phase;
    clusters = snapshot.clusters || [];
    // The room draws the wall once this has run, with this snapshot's controls.
    renderAll();
  });
  room.on("phase.changed", function (data) {
    var was = phase;
    phase = data.workshop.phase;
    if (was !== phase) {
      room.renderIdeas();
      renderAll();
    }
  });
  room.on("ballot.updated", takeOwn);
  room.on("votes.counted", function (data) {
    if (data.as_of < votersAsOf) return;
    votersAsOf = data.as_of;
    voters = data.voters;
    renderVoters();
  });
  room.on("votes.tallied", function (data) {
    // Hidden tallies never reach a citizen's socket; this guards the order of events.
    if (role !== "facilitator" && !(ballot && ballot.tallies_public)) return;
    takeTallies(data.tallies, data.as_of);
  });
  room.on("tallies.revealed", function (data) {
    ballot = data.ballot;
    takeTallies(data.tallies, data.as_of);
    renderAll();
    room.announce(t("The results are revealed."));
  });
  room.on("voting.configured", function (data) {
    ballot = data.ballot;
    // Only voters whose marks were cleared hear ballot.updated; an empty ballot has
    // exactly the new rules' budget left (dots or places; null for approval).
    if (mine && mine.votes.length === 0) mine = Object.assign({}, mine, { remaining: ballot.budget });
    if (!ballot.tallies_public && role !== "facilitator") tallies = null;
    room.renderIdeas();
    renderAll();
    if (role === "citizen") room.announce(fmt(t("The voting rules changed: %s."), [ballot.method_label]));
  });
  room.on("cluster.created", function (data) { clusters.push(data.cluster); renderClusters(); });
  room.on("cluster.renamed", function (data) {
    clusters = clusters.map(function (c) { return c.id === data.cluster.id ? data.cluster : c; });
    renderClusters();
  });
  room.on("cluster.deleted", function (data) {
    clusters = clusters.filter(function (c) { return c.id !== data.cluster_id; });
    renderClusters();
  });
  room.on("clusters.reordered", function (data) { clusters = data.clusters; renderClusters(); });
  room.on("idea.moved", renderClusters);
  room.on("idea.merged", renderClusters);
})();
