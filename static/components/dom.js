/*
 * The small DOM helpers every page script of the room shares (room.js, group.js, vote.js,
 * moderate.js, propose.js, the console and the projector). Loaded first, as
 * window.SamskabDom, so no script carries a copy of its own.
 */
(function () {
  "use strict";

  function $(selector, root) { return (root || document).querySelector(selector); }

  function $all(selector, root) {
    return Array.prototype.slice.call((root || document).querySelectorAll(selector));
  }

  // el("li", "idea idea-mine", text) or el("input", { id: "x", maxlength: "500" }).
  // Text from people always goes in as textContent, never as markup.
  function el(tag, classOrAttributes, text) {
    var node = document.createElement(tag);
    if (typeof classOrAttributes === "string") {
      if (classOrAttributes) node.className = classOrAttributes;
    } else if (classOrAttributes) {
      Object.keys(classOrAttributes).forEach(function (name) {
        node.setAttribute(name, classOrAttributes[name]);
      });
    }
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function short(text, max) {
    var limit = max || 60;
    return text.length > limit ? text.slice(0, limit - 3) + "…" : text;
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // The server's answer in the room's JSON convention (docs/protocol.md), or, for a request
  // that got none, { ok: false, code: "disconnected", message: offlineMessage }. A gateway's
  // "server unreachable" page (502, 503, 504) counts as none, so what was sent may go again;
  // any other answer that is not JSON (a proxy's "too large", a server's error page) is an
  // error of the server's, which sending it again as it is would not mend.
  var UNREACHABLE = [502, 503, 504];

  function answerOf(response, offlineMessage) {
    var type = response.headers.get("Content-Type") || "";
    if (type.indexOf("application/json") === 0) {
      return response.json().then(function (reply) {
        return reply.ok ? { ok: true, data: reply } : reply;
      }, function () { return notCarriedOut(response); });
    }
    if (UNREACHABLE.indexOf(response.status) !== -1) {
      return Promise.resolve({ ok: false, code: "disconnected", message: offlineMessage || "" });
    }
    return Promise.resolve(notCarriedOut(response));
  }

  function notCarriedOut(response) {
    return {
      ok: false,
      code: "server_error",
      status: response.status,
      message: gettext("The server could not carry that out. Try again in a moment, or reload the page to see where things stand."),
    };
  }

  // A write over plain HTTP: resolves to { ok: true, data } or { ok: false, code, message }.
  function postForm(url, fields, offlineMessage) {
    var body = new FormData();
    Object.keys(fields || {}).forEach(function (key) { body.append(key, fields[key]); });
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
    }).then(function (response) { return answerOf(response, offlineMessage); }, function () {
      return { ok: false, code: "disconnected", message: offlineMessage || "" };
    });
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return answerOf(response, ""); }, function () {
        return { ok: false, code: "disconnected" };
      });
  }

  var gettext = window.gettext || function (s) { return s; };
  var ngettext = window.ngettext || function (one, many, n) { return n === 1 ? one : many; };
  var interpolate = window.interpolate || function (s, values) {
    var index = 0;
    return s.replace(/%s/g, function () { return String(values[index++]); });
  };

  window.SamskabDom = {
    $: $,
    $all: $all,
    el: el,
    short: short,
    csrfToken: csrfToken,
    postForm: postForm,
    getJson: getJson,
    t: gettext,
    nt: ngettext,
    fmt: interpolate,
  };
})();
