// While a proposal is written, show similar ones so the writer can support one instead.
(function () {
  "use strict";
  var form = document.getElementById("propose-form");
  if (!form) return;
  var section = document.getElementById("similar");
  var list = document.getElementById("similar-list");
  var title = form.querySelector('[name="title"]');
  var text = form.querySelector('[name="text"]');
  var timer = null;
  var asked = "";

  function render(proposals) {
    list.replaceChildren();
    proposals.forEach(function (proposal) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = proposal.url;
      link.textContent = proposal.title;
      item.append(link, " (" + proposal.support_count + ")");
      list.append(item);
    });
    section.hidden = proposals.length === 0;
  }

  function ask() {
    var words = (title.value + " " + text.value).trim();
    if (words.length < 8 || words === asked) return;
    asked = words;
    fetch(form.dataset.similar + "?text=" + encodeURIComponent(words.slice(0, 3000)), {
      headers: { Accept: "application/json" },
    })
      .then(function (response) { return response.ok ? response.json() : { proposals: [] }; })
      .then(function (body) { if (asked === words) render(body.proposals); })
      .catch(function () { /* hints are a help, not a requirement */ });
  }

  [title, text].forEach(function (field) {
    field.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, 400);
    });
  });
})();
