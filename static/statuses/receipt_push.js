// "Notify this phone" on the receipt page: Web Push, offered only where the browser has it.
// The phone's subscription goes to the server, which pushes each new notice through the
// browser vendor's push service; turning it off tells the server to stop.
"use strict";

(function () {
  const section = document.querySelector("[data-push]");
  const config = JSON.parse(document.getElementById("receipt-config").textContent).push;
  if (!section || !config) return;
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    return; // The page works as before: the live page and e-mail still tell of changes.
  }
  const t = window.gettext || ((text) => text);
  const state = section.querySelector("[data-push-state]");
  const button = section.querySelector("[data-push-toggle]");
  let on = false;

  function csrfToken() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function show(isOn, message) {
    on = isOn;
    section.dataset.pushOn = String(isOn);
    button.textContent = isOn ? t("Stop notifying this phone") : t("Notify this phone");
    state.textContent = message || (isOn
      ? t("This phone is notified of changes, at most once a day.")
      : t("This phone is not notified of changes."));
  }

  function blocked() {
    const hadFocus = document.activeElement === button;
    button.hidden = true;
    state.textContent = t("Notifications are blocked for this site in this browser's settings.");
    // The button is gone: the keyboard's focus goes to what replaced it, not to the page's top.
    if (hadFocus) {
      state.tabIndex = -1;
      state.focus();
    }
  }

  function keyBytes(base64url) {
    const base64 = (base64url + "=".repeat((4 - (base64url.length % 4)) % 4))
      .replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  }

  function sameKey(subscription) {
    const key = subscription.options && subscription.options.applicationServerKey;
    if (!key) return true;
    const mine = keyBytes(config.key);
    const theirs = new Uint8Array(key);
    return mine.length === theirs.length && mine.every((byte, i) => byte === theirs[i]);
  }

  async function digest(text) {
    const hash = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
    return Array.from(new Uint8Array(hash), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  async function post(url, body) {
    try {
      const response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          Accept: "application/json",
          "Content-Type": "application/json",
          "X-CSRFToken": csrfToken(),
        },
        body: JSON.stringify(body),
      });
      return await response.json();
    } catch (error) {
      return { ok: false, message: t("The server could not be reached. Try again.") };
    }
  }

  async function current() {
    const registration = await navigator.serviceWorker.getRegistration(config.scope);
    return registration ? registration.pushManager.getSubscription() : null;
  }

  async function turnOn() {
    const permission = await Notification.requestPermission();
    if (permission === "denied") return blocked();
    if (permission !== "granted") return show(false, t("Notifications were not allowed."));
    let subscription;
    try {
      await navigator.serviceWorker.register(config.worker, { scope: config.scope });
      const registration = await navigator.serviceWorker.ready;
      subscription = await registration.pushManager.getSubscription();
      if (subscription && !sameKey(subscription)) {
        await subscription.unsubscribe();
        subscription = null;
      }
      subscription = subscription || await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: keyBytes(config.key),
      });
    } catch (error) {
      return show(false, t("This browser could not set up notifications. Try again later."));
    }
    const reply = await post(config.subscribe, subscription.toJSON());
    show(Boolean(reply.ok), reply.ok ? "" : reply.message);
  }

  async function turnOff() {
    const subscription = await current().catch(() => null);
    if (!subscription) return show(false);
    // The phone's subscription stays: another receipt on this phone may use it.
    const reply = await post(config.stop, { endpoint: subscription.endpoint });
    show(!reply.ok, reply.ok ? "" : reply.message);
  }

  // Busy rather than disabled, so the button keeps the keyboard's focus meanwhile.
  let busy = false;
  button.addEventListener("click", async () => {
    if (busy) return;
    busy = true;
    button.setAttribute("aria-disabled", "true");
    try {
      await (on ? turnOff() : turnOn());
    } finally {
      busy = false;
      button.removeAttribute("aria-disabled");
    }
  });

  section.hidden = false;
  show(false);
  if (Notification.permission === "denied") {
    blocked();
    return;
  }
  current().then(async (subscription) => {
    if (subscription && config.known.includes(await digest(subscription.endpoint))) show(true);
  }).catch(() => {});
})();
