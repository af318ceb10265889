// Suggestion chips of the edit page (contrib/_suggestions.html). Without JavaScript a chip is a
// submit button: the server adds the value and shows the form again. Here a click ticks the
// box (or the radio button) at once, tells the autosave, and says so in the live region.
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var chip = e.target.closest && e.target.closest("button.chip[data-field]");
    if (!chip) { return; }
    var form = chip.form;
    var input = form && Array.prototype.find.call(
      form.querySelectorAll('input[name="' + chip.dataset.field + '"]'),
      function (el) { return el.value === chip.dataset.value; }
    );
    if (!input) { return; } // the value is not in the form: let the server answer
    e.preventDefault();
    input.checked = true;
    input.dispatchEvent(new Event("change", { bubbles: true })); // the autosave follows
    var region = chip.closest(".suggestions");
    var item = chip.closest("li");
    var list = item.parentNode;
    item.remove();
    var said = document.createElement("p");
    said.className = "suggestion-done";
    said.textContent = "« " + chip.dataset.label + " » sélectionné.";
    region.appendChild(said);
    if (!list.children.length) { list.remove(); }
    input.focus();
  });
  // An autosave answer that proposes the same chips changes nothing on screen (and the live
  // region stays quiet).
  document.addEventListener("htmx:oobBeforeSwap", function (e) {
    var target = e.detail.target;
    var incoming = e.detail.fragment;
    if (!target.classList || !target.classList.contains("suggestions")) { return; }
    var signature = incoming && incoming.getAttribute ? incoming.getAttribute("data-signature") : null;
    if (signature !== null && signature === target.getAttribute("data-signature")) {
      e.preventDefault();
      return;
    }
    if (signature !== null) { target.setAttribute("data-signature", signature); }
  });
})();
