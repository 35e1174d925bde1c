// Erasing one's data: the phone also forgets the receipts it kept (localStorage
// "samskab.receipts"), so nothing on it points at what is about to be erased.
"use strict";

(function () {
  const STORE = "samskab.receipts";
  document.querySelectorAll("form[data-forget-receipts]").forEach((form) => {
    form.addEventListener("submit", () => {
      try {
        const erased = JSON.parse(form.dataset.forgetReceipts || "[]");
        const kept = JSON.parse(localStorage.getItem(STORE) || "[]").filter(
          (token) => !erased.includes(token),
        );
        localStorage.setItem(STORE, JSON.stringify(kept));
      } catch (error) {
        // Private browsing may refuse storage; the server erases all the same.
      }
    });
  });
})();
