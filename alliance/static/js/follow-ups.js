// A follow-up question ("If there was tension, how well did you talk it through?") shows only
// once the answer it follows on asks for it, and loses its answer when that answer changes back.
// Without this script every question shows, each follow-up saying when to answer it, and the
// server refuses a follow-up that does not apply (alliance.clinical.scoring), keeping the rest.
(function () {
  "use strict";
  var followUps = Array.prototype.slice.call(document.querySelectorAll("fieldset[data-enable-when]"));
  if (!followUps.length) return;
  function update() {
    followUps.forEach(function (fieldset) {
      // One the server has marked stays in view, so its message can be read and acted on.
      if (fieldset.classList.contains("question--error")) return;
      var earlier = fieldset.form && fieldset.form.elements.namedItem(fieldset.getAttribute("data-enable-when"));
      var value = earlier ? parseInt(earlier.value, 10) : NaN;
      var asked = value >= parseInt(fieldset.getAttribute("data-at-least"), 10);
      fieldset.hidden = !asked;
      if (!asked) {
        fieldset.querySelectorAll("input").forEach(function (input) { input.checked = false; });
      }
    });
  }
  followUps.forEach(function (fieldset) {
    if (fieldset.form) fieldset.form.addEventListener("change", update);
    // The words that say when to answer are for a page without this script: here the
    // question itself appears only when it applies.
    var when = fieldset.querySelector(".question__when");
    if (when) when.hidden = true;
  });
  update();
})();
