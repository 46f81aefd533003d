// flowdoc's onboarding site: the search box, and highlighting the arrows of an event.
// Plain JavaScript, no framework, nothing from the network; it only reads the page and
// window.flowdocSearch (search-index.js), and writes text, never markup.
(function () {
  "use strict";
  var root = document.documentElement.getAttribute("data-root") || "";
  var input = document.getElementById("search");
  var results = document.querySelector(".search-results");
  var LIMIT = 100;

  // The search: every event, function and resource, filtered as you type.
  var entries = (window.flowdocSearch || []).map(function (entry) {
    var item = document.createElement("li");
    item.setAttribute("data-kind", entry.kind);
    item.setAttribute("data-name", entry.name);
    item.hidden = true;
    var link = document.createElement("a");
    link.href = root + entry.href;
    var name = document.createElement("span");
    name.textContent = entry.name;
    var kind = document.createElement("span");
    kind.className = "kind";
    kind.textContent = entry.detail;
    link.appendChild(name);
    link.appendChild(kind);
    item.appendChild(link);
    results.appendChild(item);
    return { item: item, key: entry.name.toLowerCase() };
  });
  var none = document.createElement("li");
  none.className = "none";
  none.hidden = true;
  results.appendChild(none);

  function filter() {
    var query = input.value.trim().toLowerCase();
    var shown = 0;
    var matches = 0;
    entries.forEach(function (entry) {
      var match = query !== "" && entry.key.indexOf(query) !== -1;
      if (match) { matches += 1; }
      entry.item.hidden = !(match && shown < LIMIT);
      if (match && shown < LIMIT) { shown += 1; }
    });
    none.hidden = query === "" || shown === matches;
    none.textContent = matches === 0 ? "Nothing matches." : (matches - shown) + " more: type more of the name.";
    if (matches === 0) { none.hidden = query === ""; }
    results.hidden = query === "";
  }

  function visibleLinks() {
    return Array.prototype.filter.call(results.querySelectorAll("li a"), function (link) {
      return !link.parentNode.hidden;
    });
  }

  if (input && results) {
    input.addEventListener("input", filter);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        input.value = "";
        filter();
        input.blur();
      } else if (event.key === "ArrowDown") {
        var links = visibleLinks();
        if (links.length) { event.preventDefault(); links[0].focus(); }
      } else if (event.key === "Enter") {
        var first = visibleLinks()[0];
        if (first) { window.location.href = first.href; }
      }
    });
    results.addEventListener("keydown", function (event) {
      var links = visibleLinks();
      var at = links.indexOf(document.activeElement);
      if (event.key === "ArrowDown" && at + 1 < links.length) {
        event.preventDefault();
        links[at + 1].focus();
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (at > 0) { links[at - 1].focus(); } else { input.focus(); }
      } else if (event.key === "Escape") {
        input.focus();
      }
    });
    document.addEventListener("keydown", function (event) {
      var target = event.target;
      var typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.isContentEditable);
      if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
        event.preventDefault();
        input.focus();
        input.select();
      }
    });
  }

  // Highlighting: hovering or focusing an event marks the arrows that carry it in every
  // picture of the page, and dims the others.
  var edges = Array.prototype.map.call(document.querySelectorAll("svg g.edge"), function (edge) {
    var events = [];
    try { events = JSON.parse(edge.getAttribute("data-events") || "[]"); } catch (error) { events = []; }
    return { element: edge, events: events };
  });
  var pictures = document.querySelectorAll("figure.picture svg");

  function highlight(name, source) {
    edges.forEach(function (edge) {
      edge.element.classList.toggle("highlight", edge.events.indexOf(name) !== -1);
    });
    Array.prototype.forEach.call(pictures, function (picture) { picture.classList.add("highlighting"); });
    if (source) { source.classList.add("highlight"); }
  }

  function clear(source) {
    edges.forEach(function (edge) { edge.element.classList.remove("highlight"); });
    Array.prototype.forEach.call(pictures, function (picture) { picture.classList.remove("highlighting"); });
    if (source) { source.classList.remove("highlight"); }
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-event]"), function (element) {
    var name = element.getAttribute("data-event");
    element.addEventListener("mouseenter", function () { highlight(name, element); });
    element.addEventListener("mouseleave", function () { clear(element); });
    element.addEventListener("focus", function () { highlight(name, element); });
    element.addEventListener("blur", function () { clear(element); });
  });
})();
