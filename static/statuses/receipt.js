// The receipt page: kept on this phone, and told live of every status change.
"use strict";

(function () {
  const config = JSON.parse(document.getElementById("receipt-config").textContent);
  const t = window.gettext || ((text) => text);
  const interpolate = window.interpolate || ((text) => text);
  const announcer = document.querySelector("[data-receipt-announcer]");
  const connection = document.querySelector("[data-receipt-connection]");
  const STORE = "samskab.receipts";

  // Keep the receipt on the phone, so it can be found again without the link.
  try {
    const kept = JSON.parse(localStorage.getItem(STORE) || "[]").filter((t) => t !== config.token);
    kept.unshift(config.token);
    localStorage.setItem(STORE, JSON.stringify(kept.slice(0, 20)));
  } catch (error) {
    // Private browsing may refuse storage; the link still works.
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function formatDate(iso) {
    const date = new Date(iso);
    return isNaN(date) ? "" : date.toLocaleDateString(document.documentElement.lang, {
      day: "numeric", month: "long", year: "numeric",
    });
  }

  const labels = config.status_labels || {};
  function labelOf(change) {
    return labels[change.status] || change.status_label;
  }

  function step(change) {
    const item = element("li");
    item.dataset.change = String(change.id);
    item.append(element("span", "status-step", labelOf(change)), " ");
    const time = element("time", "", formatDate(change.created_at));
    time.dateTime = change.created_at;
    item.append(time, " — ", interpolate(t("signed by %s"), [change.administration]));
    if (change.forwarded_to) {
      item.append(element("p", "", interpolate(t("Forwarded to %s."), [change.forwarded_to])));
    }
    if (change.progress !== null) {
      // The catalogue keeps Python's "%%"; interpolate() leaves it doubled.
      item.append(element("p", "", interpolate(t("%s%% done."), [change.progress]).replace("%%", "%")));
    }
    if (change.note) item.append(element("p", "status-note", change.note));
    if (change.photo_url) {
      const photo = element("img", "status-photo");
      photo.src = change.photo_url;
      photo.alt = t("Photo of what was done");
      item.append(photo);
    }
    return item;
  }

  function changed(data) {
    const article = document.querySelector(`[data-item="${CSS.escape(data.key)}"]`);
    if (!article) return;
    const timeline = article.querySelector("[data-timeline]");
    if (timeline.querySelector(`[data-change="${data.change.id}"]`)) return;
    article.querySelector("[data-status-label]").textContent = labelOf(data.change);
    timeline.append(step(data.change));
    const title = article.querySelector("h3").textContent.trim();
    announcer.textContent = interpolate(t("%(title)s is now: %(status)s"), {
      title: title, status: labelOf(data.change),
    }, true);
  }

  let delay = 1000;
  let attempts = 0;
  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + location.host + config.ws_path);
    socket.addEventListener("open", () => {
      delay = 1000;
      attempts = 0;
      connection.textContent = "";
      document.body.dataset.receiptLive = "true";
    });
    socket.addEventListener("message", (message) => {
      const event = JSON.parse(message.data);
      if (event.type === "status.changed") changed(event.data);
      if (event.type === "receipt.revoked" || (event.type === "error" && event.code === "not_found")) {
        connection.textContent = t("This receipt has been withdrawn or erased.");
        attempts = Infinity;
        // Withdrawn or erased: the phone keeps no link that leads nowhere.
        try {
          const kept = JSON.parse(localStorage.getItem(STORE) || "[]").filter((t) => t !== config.token);
          localStorage.setItem(STORE, JSON.stringify(kept));
        } catch (error) {
          // Private browsing may refuse storage.
        }
      }
    });
    socket.addEventListener("close", () => {
      document.body.dataset.receiptLive = "false";
      if (attempts === Infinity || ++attempts > 30) return;
      connection.textContent = t("Reconnecting…");
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    });
  }
  connect();
})();
