// Enhancements only: every page works without JavaScript.
(function () {
  "use strict";
  // Phones: the facet panel starts folded (it is open without JavaScript).
  function foldFacets(root) {
    var facets = (root || document).querySelector("#facets");
    if (facets && window.matchMedia("(max-width: 48rem)").matches && !facets.dataset.touched) {
      facets.removeAttribute("open");
    }
  }
  document.addEventListener("DOMContentLoaded", function () { foldFacets(document); });
  // After a failed submit, start reading at the error summary (contrib/_form_errors.html).
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) { summary.focus(); }
  });
  document.addEventListener("toggle", function (e) {
    if (e.target.id === "facets") { e.target.dataset.touched = "1"; }
  }, true);
  // After htmx swaps the results, keep the panel as the person left it.
  document.addEventListener("htmx:beforeSwap", function (e) {
    var old = document.querySelector("#facets");
    window.__facetsOpen = old ? old.open : null;
  });
  // "Voir les N fiches": on a phone, fold the filters and move to the results once they are in.
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-see-results]");
    if (!button) { return; }
    var facets = document.querySelector("#facets");
    if (facets && window.matchMedia("(max-width: 48rem)").matches) {
      facets.open = false;
      facets.dataset.touched = "1";
    }
    window.__focusResults = true;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!window.__focusResults) { return; }
    window.__focusResults = false;
    var results = document.querySelector("#resultats");
    if (results) { results.focus(); results.scrollIntoView({ block: "start" }); }
  });
  document.addEventListener("htmx:afterSwap", function () {
    var facets = document.querySelector("#facets");
    if (facets && window.__facetsOpen !== null && window.__facetsOpen !== undefined) {
      facets.open = window.__facetsOpen;
      facets.dataset.touched = "1";
    }
  });
  // Shorter, shareable addresses: leave out empty fields and the default page size.
  document.addEventListener("htmx:configRequest", function (e) {
    if (e.detail.verb !== "get") { return; }
    var params = e.detail.parameters;
    ["q", "year_min", "year_max", "sort", "page"].forEach(function (name) {
      if (params[name] === "") { delete params[name]; }
    });
    if (params.page_size === "25") { delete params.page_size; }
  });
  // "Imprimer cette fiche" opens the print dialog.
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("[data-print]");
    if (link) { e.preventDefault(); window.print(); }
  });
})();
