// Keeps a check-in's answers in this tab while it is being filled in, so that a lost
// connection or a reload loses nothing. sessionStorage, not localStorage: the answers are
// health information and must not outlive the tab on a shared device. The page works without
// this script; it only restores what the person already chose.
(function () {
  "use strict";
  var sent = document.querySelector("[data-answers-sent]");
  if (sent) {
    for (var i = sessionStorage.length - 1; i >= 0; i--) {
      var name = sessionStorage.key(i);
      if (name && name.indexOf("checkin-") === 0) sessionStorage.removeItem(name);
    }
    return;
  }
  var form = document.querySelector("form[data-keep-answers]");
  if (!form) return;
  var key = form.getAttribute("data-keep-answers");
  var saved = {};
  try { saved = JSON.parse(sessionStorage.getItem(key) || "{}"); } catch (e) { saved = {}; }
  // Answers sent and shown again by the server are the ones to keep: one it cleared (it did
  // not apply) must not come back from this tab's copy.
  var shown = form.hasAttribute("data-answers-shown");
  Object.keys(shown ? {} : saved).forEach(function (field) {
    var inputs = form.elements.namedItem(field);
    if (!inputs) return;
    if (inputs instanceof RadioNodeList) {
      if (!inputs.value) inputs.value = saved[field];
    } else if (!inputs.value) {
      inputs.value = saved[field];
    }
  });
  function save() {
    var answers = {};
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || element.name === "csrfmiddlewaretoken") return;
      if (element.type === "radio" && !element.checked) return;
      if (element.value) answers[element.name] = element.value;
    });
    sessionStorage.setItem(key, JSON.stringify(answers));
  }
  if (shown) save();
  form.addEventListener("change", save);
  form.addEventListener("input", save);
})();
