// Live support counts on a challenge's pages: the server pushes every change over one
// WebSocket per page (no polling). Page data comes from the json_script block.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("challenge-live").textContent);
  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\((\w+)\)s/g, function (_m, key) { return String(values[key]); });
  };
  var statusLine = document.getElementById("live-status");
  var milestone = document.getElementById("milestone");
  var known = {};
  data.proposals.forEach(function (proposal) { known[proposal.id] = proposal; });

  function show(proposal, announce) {
    var previous = known[proposal.id];
    if (!previous && !document.querySelector('[data-count="' + proposal.id + '"]')) return;
    // Two server processes send their own changes: an older count never replaces a newer.
    if (previous && previous.revision > proposal.revision) return;
    known[proposal.id] = proposal;
    document.querySelectorAll('[data-count="' + proposal.id + '"]').forEach(function (node) {
      node.textContent = String(proposal.support_count);
    });
    document.querySelectorAll('.progress[data-proposal="' + proposal.id + '"] progress').forEach(function (bar) {
      bar.max = proposal.threshold;
      bar.value = Math.min(proposal.support_count, proposal.threshold);
    });
    var reachedNow = proposal.threshold_reached_at && !(previous && previous.threshold_reached_at);
    if (reachedNow && announce && statusLine) {
      statusLine.textContent = gettext("The threshold is reached.");
    }
  }

  var shareShown = 0;
  function showMilestone(share) {
    if (!data.author || !milestone || !share || share <= shareShown) return;
    shareShown = share;
    milestone.textContent = interpolate(gettext("Your proposal has passed %(share)s % of the threshold."), { share: share }, true);
    milestone.hidden = false;
  }

  var delay = 1000;
  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + "/ws/challenges/" + data.challenge + "/");
    socket.addEventListener("open", function () { delay = 1000; });
    socket.addEventListener("message", function (message) {
      var frame = JSON.parse(message.data);
      var events = frame.type === "batch" ? frame.events : [frame];
      events.forEach(function (event) {
        if (event.type === "snapshot") {
          event.data.proposals.forEach(function (proposal) { show(proposal, false); });
        } else if (event.type === "proposal.support_changed") {
          show(event.data.proposal, true);
          showMilestone(event.data.milestone);
        } else if (event.type === "proposal.changed") {
          var node = document.querySelector('[data-status="' + event.data.proposal.id + '"]');
          if (node && event.data.proposal.status_display) node.textContent = event.data.proposal.status_display;
          show(event.data.proposal, true);
        }
      });
      document.body.dataset.liveEvents = String(Number(document.body.dataset.liveEvents || 0) + events.length);
    });
    socket.addEventListener("close", function (event) {
      if (event.code >= 4000) return;
      window.setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    });
  }
  connect();
})();
