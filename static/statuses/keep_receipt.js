// A page that offers its reader's receipt keeps it on the phone, beside those the
// receipt page keeps (localStorage "samskab.receipts"), so the link is not lost.
"use strict";

(function () {
  const STORE = "samskab.receipts";
  document.querySelectorAll("[data-receipt-token]").forEach((node) => {
    const token = node.dataset.receiptToken;
    try {
      const kept = JSON.parse(localStorage.getItem(STORE) || "[]").filter((t) => t !== token);
      kept.unshift(token);
      localStorage.setItem(STORE, JSON.stringify(kept.slice(0, 20)));
    } catch (error) {
      // Private browsing may refuse storage; the link on the screen still works.
    }
  });
})();
