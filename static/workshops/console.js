/*
 * The facilitator's console as a workspace: one tool in view at a time, the tool of the
 * room's phase first, and one obvious next step.
 *
 * Without this script the tabs are links (?tool=…) that the server answers with that
 * tool in view. With it they switch in place, and when the room moves to another phase
 * (from this console or a colleague's) the console follows with that phase's tool and
 * its next step.
 */
(function () {
  "use strict";

  var room = window.SamskabRoom;
  var dom = window.SamskabDom;
  if (!room || !dom) return;
  var t = room.t;
  var fmt = room.fmt;
  var $ = dom.$;
  var $all = dom.$all;

  var steps = $all("[data-phase-steps] [data-step]");
  // The phase the page was rendered in: the room may not have started yet (it starts
  // once every script on the page has registered), and a remembered tool is only
  // opened again in the phase it was left in.
  var shownPhase = room.state.workshop ? room.state.workshop.phase : renderedPhase();

  function renderedPhase() {
    var current = $("[data-phase-steps] [data-step][aria-current=step]");
    return current ? current.getAttribute("data-step") : null;
  }

  var MEMORY_KEY = "samskab.console-tool." + room.config.code;
  function remember(tool) {
    try {
      window.sessionStorage.setItem(MEMORY_KEY, JSON.stringify({ tool: tool, phase: shownPhase }));
    } catch (error) { /* private mode: the phase's tool it is */ }
  }
  function remembered() {
    try { return JSON.parse(window.sessionStorage.getItem(MEMORY_KEY) || "null"); } catch (error) { return null; }
  }

  function show(tool, focus) {
    var found = false;
    $all("[data-tool]").forEach(function (node) {
      var match = node.getAttribute("data-tool") === tool;
      node.hidden = !match;
      if (match) found = true;
    });
    if (!found) return;
    $all("[data-tool-link]").forEach(function (link) {
      if (link.getAttribute("data-tool-link") === tool) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    });
    // The address says which tool is open, so a reload comes back to it; so does the
    // console the console's own forms come back to, as long as the phase is the same.
    var url = new URL(window.location.href);
    url.searchParams.set("tool", tool);
    window.history.replaceState(null, "", url.pathname + url.search);
    remember(tool);
    if (focus) {
      var heading = $("[data-tool=\"" + tool + "\"] h2");
      if (heading) {
        heading.setAttribute("tabindex", "-1");
        heading.focus();
      }
    }
  }

  $all("[data-tool-link]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
      event.preventDefault();
      show(link.getAttribute("data-tool-link"), false);
    });
  });

  function toolOf(phase) {
    for (var i = 0; i < steps.length; i += 1) {
      if (steps[i].getAttribute("data-step") === phase) return steps[i].getAttribute("data-step-tool");
    }
    return null;
  }

  function followPhase(workshop) {
    var phase = workshop.phase;
    var index = -1;
    steps.forEach(function (step, i) {
      var current = step.getAttribute("data-step") === phase;
      if (current) { step.setAttribute("aria-current", "step"); index = i; }
      else step.removeAttribute("aria-current");
    });
    var tool = toolOf(phase);
    $all("[data-tool-link]").forEach(function (link) {
      link.classList.toggle("tool-now", link.getAttribute("data-tool-link") === tool);
    });
    var next = index >= 0 && index + 1 < steps.length ? steps[index + 1] : null;
    var form = $("[data-next-form]");
    if (form) {
      form.hidden = next === null;
      if (next) {
        $("[data-next-phase]", form).value = next.getAttribute("data-step");
        var button = $("[data-next-button]", form);
        button.replaceChildren(
          document.createTextNode(fmt(t("Next: %s"), [next.textContent.trim()]) + " "),
          dom.el("span", { "aria-hidden": "true" }, "→")
        );
      }
    }
    var timers = $("[data-timer-form]");
    if (timers) timers.hidden = phase === "closed";
    var moved = shownPhase !== null && shownPhase !== phase;
    shownPhase = phase;
    if (moved && tool) show(tool, false);
  }

  room.on("snapshot", function (snapshot) { followPhase(snapshot.workshop); });
  room.on("phase.changed", function (data) { followPhase(data.workshop); });

  // A tool named in the address (#tool-group) opens that tool; a form that posted and came
  // back opens the tool it was sent from, unless the room has moved on meanwhile.
  var last = remembered();
  if (window.location.hash.indexOf("#tool-") === 0) show(window.location.hash.slice(6), true);
  else if (!new URL(window.location.href).searchParams.get("tool") && last && last.phase === shownPhase) show(last.tool, false);
})();
