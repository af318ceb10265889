// Suggestions under a search box: the WAI-ARIA 1.2 combobox pattern with a listbox popup.
// Enhancement only: without JavaScript the box is a plain search field and its form submits.
// Markup: <input data-suggest="URL" id="ID"> with, in the page, #ID-suggest-listbox (the popup,
// replaced by the server's fragment) and #ID-suggest-status (a polite live region).
// Keys: Down/Up move, Enter chooses (or submits when no option is active), Escape closes,
// Tab leaves. Choosing goes to the suggestion's address.
(function () {
  "use strict";
  var DELAY = 150; // ms after the last key before asking the server
  var MIN_CHARS = 2;

  function setup(input) {
    var prefix = input.id + "-suggest";
    var listbox = document.getElementById(prefix + "-listbox");
    var status = document.getElementById(prefix + "-status");
    // A property, not an attribute: htmx's history snapshots copy attributes, not listeners.
    if (!listbox || !status || input.suggestReady) { return; }
    input.suggestReady = true;
    var url = input.dataset.suggest;
    var timer = null;
    var controller = null;
    var active = -1;
    var asked = null; // the text the listbox answers

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listbox.id);
    input.setAttribute("autocomplete", "off");
    input.removeAttribute("aria-activedescendant");
    listbox.hidden = true; // a restored snapshot may hold an open popup

    function options() {
      return Array.prototype.slice.call(listbox.querySelectorAll('[role="option"]'));
    }
    function isOpen() { return input.getAttribute("aria-expanded") === "true"; }
    function open() {
      if (!options().length) { return; }
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
    function close() {
      setActive(-1);
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
    }
    function setActive(index) {
      var all = options();
      all.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      active = index >= 0 && index < all.length ? index : -1;
      if (active >= 0) {
        input.setAttribute("aria-activedescendant", all[active].id);
        all[active].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function choose(option) {
      close();
      window.location.assign(option.getAttribute("data-href"));
    }
    function show(fragment, text) {
      setActive(-1);
      listbox.innerHTML = fragment ? fragment.innerHTML : "";
      asked = text;
      var message = fragment ? fragment.getAttribute("data-announce") : "";
      if (status.textContent !== message) { status.textContent = message; }
      if (options().length && document.activeElement === input) { open(); } else { close(); }
    }
    function ask() {
      var text = input.value;
      if (text.trim().length < MIN_CHARS) { show(null, text); return; }
      if (text === asked) { open(); return; }
      var params = new URLSearchParams();
      // The catalogue's box sends its form: a keyword suggestion adds to the current filters.
      if (input.hasAttribute("data-suggest-form") && input.form) {
        new FormData(input.form).forEach(function (value, name) {
          if (name !== "page" && value !== "") { params.append(name, value); }
        });
      }
      params.set("q", text);
      params.set("for", prefix);
      if (controller) { controller.abort(); }
      controller = new AbortController();
      fetch(url + "?" + params.toString(), {
        signal: controller.signal,
        headers: { Accept: "text/html" },
        credentials: "same-origin",
      })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.text();
        })
        .then(function (html) {
          if (input.value !== text) { return; } // the visitor typed on meanwhile
          var template = document.createElement("template");
          template.innerHTML = html.trim();
          var fragment = template.content.firstElementChild;
          if (fragment && fragment.id === listbox.id) { show(fragment, text); }
        })
        .catch(function () { /* no suggestions: the box still works */ });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, DELAY);
    });
    input.addEventListener("keydown", function (e) {
      var all = options();
      if (e.key === "ArrowDown" || e.key === "Down") {
        if (!all.length) { return; }
        e.preventDefault();
        if (!isOpen()) { open(); setActive(0); return; }
        setActive(active + 1 >= all.length ? 0 : active + 1);
      } else if (e.key === "ArrowUp" || e.key === "Up") {
        if (!all.length) { return; }
        e.preventDefault();
        if (!isOpen()) { open(); setActive(all.length - 1); return; }
        setActive(active <= 0 ? all.length - 1 : active - 1);
      } else if (e.key === "Enter") {
        if (isOpen() && active >= 0) {
          e.preventDefault(); // no form submission: the suggestion is the answer
          choose(all[active]);
        } else {
          close();
        }
      } else if (e.key === "Escape" || e.key === "Esc") {
        if (isOpen()) {
          e.preventDefault(); // keep the text: a second Escape clears it, as usual
          close();
        }
      } else if (e.key === "Tab") {
        close();
      }
    });
    input.addEventListener("blur", function () { close(); });
    if (input.form) { input.form.addEventListener("submit", close); }
    // A click chooses; pressing the mouse does not take the focus from the box.
    listbox.addEventListener("mousedown", function (e) { e.preventDefault(); });
    listbox.addEventListener("click", function (e) {
      var option = e.target.closest('[role="option"]');
      if (option) { choose(option); }
    });
    // Back to the page from the browser's cache: the popup was left open.
    window.addEventListener("pageshow", close);
    listbox.addEventListener("mousemove", function (e) {
      var option = e.target.closest('[role="option"]');
      var index = option ? options().indexOf(option) : -1;
      if (index >= 0 && index !== active) { setActive(index); }
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("input[data-suggest]"), setup);
  }
  // The catalogue's page restored from htmx's history cache: new elements, no listeners.
  document.addEventListener("htmx:historyRestore", init);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
