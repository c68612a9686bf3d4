/* Jejak person picker: turns each <select data-picker> into a searchable list filtered by unit.
   Progressive enhancement: without this script the plain <select> still works. Served from this site only
   (the Content-Security-Policy allows no inline or third-party script). The labels come from the select's
   data-* attributes, so the server translates them. */
(function () {
  "use strict";

  function fold(text) {
    // case- and accent-insensitive matching ("Sítí" finds "siti")
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function enhance(select, index) {
    var people = Array.prototype.filter.call(select.options, function (o) { return o.value !== ""; });
    var units = [];
    people.forEach(function (o) {
      var unit = o.getAttribute("data-unit") || "";
      if (unit && units.indexOf(unit) < 0) { units.push(unit); }
    });
    units.sort();

    var box = document.createElement("div");
    box.className = "picker";
    var id = "picker-" + index;

    var unitLabel = document.createElement("label");
    unitLabel.htmlFor = id + "-unit";
    unitLabel.textContent = select.getAttribute("data-unit-label") || "Unit";
    var unitChoice = document.createElement("select");
    unitChoice.id = id + "-unit";
    var all = document.createElement("option");
    all.value = "";
    all.textContent = select.getAttribute("data-all-units") || "All units";
    unitChoice.appendChild(all);
    units.forEach(function (unit) {
      var option = document.createElement("option");
      option.value = unit;
      option.textContent = unit;
      unitChoice.appendChild(option);
    });

    var searchLabel = document.createElement("label");
    searchLabel.htmlFor = id + "-search";
    searchLabel.textContent = select.getAttribute("data-search-label") || "Search by name";
    var search = document.createElement("input");
    search.type = "search";
    search.id = id + "-search";
    search.autocomplete = "off";
    search.setAttribute("aria-controls", select.id);

    var status = document.createElement("p");
    status.className = "hint";
    status.id = id + "-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");

    [unitLabel, unitChoice, searchLabel, search, status].forEach(function (part) { box.appendChild(part); });
    select.parentNode.insertBefore(box, select);
    var described = select.getAttribute("aria-describedby");
    select.setAttribute("aria-describedby", (described ? described + " " : "") + status.id);

    function apply(chooseFirst) {
      var words = fold(search.value.trim()).split(/\s+/).filter(Boolean);
      var unit = unitChoice.value;
      var shown = [];
      people.forEach(function (o) {
        var text = fold(o.textContent);
        var match = (!unit || o.getAttribute("data-unit") === unit) &&
          words.every(function (w) { return text.indexOf(w) >= 0; });
        o.hidden = !match;
        o.disabled = !match;
        if (match) { shown.push(o); }
      });
      var template = select.getAttribute("data-count") || "{n} people match";
      status.textContent = template.replace("{n}", String(shown.length));
      var current = select.selectedOptions[0];
      if (chooseFirst && shown.length && (!current || current.hidden || current.value === "")) {
        select.value = shown[0].value;
      } else if (current && current.hidden) {
        select.value = "";
      }
    }

    search.addEventListener("input", function () { apply(true); });
    unitChoice.addEventListener("change", function () { apply(true); });
    apply(false);
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("select[data-picker]"), enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
