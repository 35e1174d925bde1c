// The receipt pages' service worker: shows a pushed status notice, and opens the receipt
// page when the notice is tapped. The text arrives in the push, already in the
// receipt's language; this script only shows it.
"use strict";

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

// Only this site's own pages are opened from a notice.
function ownPage(raw) {
  try {
    var url = new URL(raw, self.location.origin);
    return url.origin === self.location.origin ? url.href : null;
  } catch (error) {
    return null;
  }
}

self.addEventListener("push", function (event) {
  var data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = {};
  }
  var url = ownPage(data.url) || self.registration.scope;
  event.waitUntil(
    self.registration.showNotification(data.title || "Samskab", {
      body: data.body || "",
      lang: data.lang || "",
      data: { url: url },
    })
  );
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = (event.notification.data && event.notification.data.url) || self.registration.scope;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (open) {
      for (var i = 0; i < open.length; i++) {
        if (open[i].url === url && "focus" in open[i]) return open[i].focus();
      }
      return self.clients.openWindow(url);
    })
  );
});
