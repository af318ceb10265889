/* Essaimage embed: renders a portal's actions into every element with data-essaimage (the
   address of the portal's fiches.json). No dependency, no cookie; text sizes in em so the host's
   font size applies; plain links and a list, announced to screen readers. */
(function () {
  "use strict";
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }
  function link(href, text) {
    var a = el("a", "", text);
    a.href = href;
    return a;
  }
  function style() {
    if (document.getElementById("essaimage-embed-style")) return;
    var s = el("style");
    s.id = "essaimage-embed-style";
    s.textContent =
      ".essaimage-embed{font:inherit;color:inherit;line-height:1.4}" +
      ".essaimage-embed ul{list-style:none;margin:.5em 0;padding:0}" +
      ".essaimage-embed li{margin:0 0 .6em}" +
      ".essaimage-embed a{color:inherit;text-decoration:underline}" +
      ".essaimage-embed a:focus{outline:2px solid currentColor;outline-offset:2px}" +
      ".essaimage-embed small{display:block;font-size:.875em;opacity:.85}";
    (document.head || document.documentElement).appendChild(s);
  }
  function render(host, data) {
    var level = parseInt(host.getAttribute("data-niveau") || "2", 10);
    level = level >= 2 && level <= 6 ? level : 2;
    var box = el("section", "essaimage-embed");
    var id = "essaimage-" + Math.random().toString(36).slice(2);
    var heading = el("h" + level);
    heading.id = id;
    heading.appendChild(link(data.url, data.title));
    box.setAttribute("aria-labelledby", id);
    box.appendChild(heading);
    if (data.sheets.length) {
      var list = el("ul");
      data.sheets.forEach(function (sheet) {
        var item = el("li");
        item.appendChild(link(sheet.url, sheet.title));
        var meta = [sheet.structure, sheet.departement, sheet.year].filter(Boolean).join(" · ");
        if (meta) item.appendChild(el("small", "", meta));
        list.appendChild(item);
      });
      box.appendChild(list);
    } else {
      box.appendChild(el("p", "", "Aucune action pour le moment."));
    }
    var more = el("p");
    more.appendChild(link(data.url, "Toutes les actions sur Essaimage"));
    box.appendChild(more);
    host.textContent = "";
    host.appendChild(box);
    host.removeAttribute("aria-busy");
  }
  function load(host) {
    if (host.getAttribute("data-essaimage-done")) return;
    host.setAttribute("data-essaimage-done", "1");
    host.setAttribute("aria-busy", "true");
    fetch(host.getAttribute("data-essaimage"), { credentials: "omit", mode: "cors" })
      .then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      })
      .then(function (data) { render(host, data); })
      .catch(function () {
        host.removeAttribute("aria-busy");
        host.textContent = "Les actions n'ont pas pu être chargées depuis Essaimage.";
      });
  }
  function start() {
    style();
    var hosts = document.querySelectorAll("[data-essaimage]");
    for (var i = 0; i < hosts.length; i++) load(hosts[i]);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
