/*
 * The citizen's receipt in the live room: once they have posted an idea, and when the
 * workshop closes, the phone shows the receipt's link and QR code and keeps its token
 * beside those the receipt page keeps (localStorage "samskab.receipts"), so the link
 * is not lost when the room is left.
 */
(function () {
  "use strict";

  var room = window.SamskabRoom;
  var offer = document.querySelector("[data-receipt-offer]");
  if (!room || !offer) return;
  var STORE = "samskab.receipts";
  var asking = false;

  function keep(token) {
    try {
      var kept = JSON.parse(window.localStorage.getItem(STORE) || "[]").filter(function (t) {
        return t !== token;
      });
      kept.unshift(token);
      window.localStorage.setItem(STORE, JSON.stringify(kept.slice(0, 20)));
    } catch (error) {
      // Private browsing may refuse storage; the link on the screen still works.
    }
  }

  function show(receipt) {
    offer.querySelector("[data-receipt-link]").href = receipt.url;
    offer.querySelector("[data-receipt-url]").value = receipt.url;
    offer.querySelector("[data-receipt-qr]").src = receipt.qr_url;
    offer.dataset.receiptToken = receipt.token;
    offer.hidden = false;
    keep(receipt.token);
  }

  function ask() {
    if (offer.dataset.receiptToken) {
      offer.hidden = false;
      return;
    }
    if (asking) return;
    asking = true;
    window.SamskabDom.getJson(offer.dataset.receiptSource).then(function (reply) {
      asking = false;
      if (reply.ok) show(reply.data.receipt);
    });
  }

  function mine(idea) {
    var you = room.state.you;
    return Boolean(you && idea && you.participant_id !== null && idea.author_id === you.participant_id);
  }

  if (offer.dataset.receiptToken) keep(offer.dataset.receiptToken);
  room.on("phase.changed", function (data) {
    if (data.workshop && data.workshop.phase === "closed") ask();
  });
  room.on("idea.posted", function (data) {
    if (mine(data.idea)) ask();
  });
  room.on("snapshot", function (snapshot) {
    if (snapshot.workshop.phase === "closed" || snapshot.ideas.some(mine)) ask();
  });
})();
