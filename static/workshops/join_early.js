/*
 * The join page's head: a "Join" tapped before the page has all arrived is held for the
 * page's script (join.js, at the page's end), which sends it over the room's socket.
 *
 * On a slow network the name form shows well before the rest of the page (the room,
 * waiting in it) has arrived, and a form posted then costs the round trips of a second
 * page. If join.js does not start (a browser without WebSocket), the held form posts as
 * soon as the page is read, as it would have.
 */
(function () {
  "use strict";

  function hold(event) {
    var form = event.target;
    if (window.SamskabJoinStarted || !form.matches || !form.matches("[data-join-form]")) return;
    event.preventDefault();
    window.SamskabJoinEarly = form;
  }
  document.addEventListener("submit", hold, true);
  document.addEventListener("DOMContentLoaded", function () {
    document.removeEventListener("submit", hold, true);
    var held = window.SamskabJoinEarly;
    window.SamskabJoinEarly = null;
    if (held && !window.SamskabJoinStarted) held.submit();
  });
})();
