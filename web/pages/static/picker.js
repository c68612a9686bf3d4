/* Jejak person picker: turns each <select data-picker> into a searchable list filtered by unit.
   Progressive enhancement: without this script the plain <select> still works. Served from this site only
   (the Content-Security-Policy allows no inline or third-party script). The labels come from the select's
   data-* attributes, so the server translates them. A select marked data-more lists only the first people of a
   large directory: what is typed (or the unit chosen) is also asked of the server (data-search), and the people it
   finds are added to the list. A search of digits is asked of the server too: HR finds people by NIP. */
(function () {
  "use strict";

  function fold(text) {
    // case- and accent-insensitive matching ("Sítí" finds "siti")
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function enhance(select, index) {
    var people = Array.prototype.filter.call(select.options, function (o) { return o.value !== ""; });
    var more = select.hasAttribute("data-more");
    var searchUrl = select.getAttribute("data-search");
    var found = {};  // ids the server found for the search now shown (a NIP matches no name)
    var asked = null;  // the latest search sent: an answer to an older one, arriving later, is dropped
    var timer = null;
    var units = more ? (select.getAttribute("data-units") || "").split("|").filter(Boolean) : [];
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
          (found[o.value] || words.every(function (w) { return text.indexOf(w) >= 0; }));
        o.hidden = !match;
        o.disabled = !match;
        if (match) { shown.push(o); }
      });
      var template = select.getAttribute("data-count") || "{n} people match";
      if (more && !words.length && !unit) {
        template = select.getAttribute("data-more-count") || template;
      }
      status.textContent = template.replace("{n}", String(shown.length));
      var current = select.selectedOptions[0];
      if (chooseFirst && shown.length && (!current || current.hidden || current.value === "")) {
        select.value = shown[0].value;
      } else if (current && current.hidden) {
        select.value = "";
      }
    }

    function add(person) {
      // a person the server found, in name order among those listed
      var option = document.createElement("option");
      option.value = person.id;
      option.setAttribute("data-unit", person.unit);
      option.textContent = person.name + " (" + person.unit + ")";
      var text = option.textContent;
      var index = 0;
      while (index < people.length && people[index].textContent.localeCompare(text) <= 0) { index += 1; }
      select.insertBefore(option, index < people.length ? people[index] : null);
      people.splice(index, 0, option);
    }

    function ask() {
      // the server's matches for what is typed and the unit chosen (only the latest answer counts)
      var text = search.value.trim();
      var unit = unitChoice.value;
      var key = text + "\u0000" + unit;
      if (!searchUrl || !(more ? (text || unit) : /^\d+$/.test(text))) { return; }
      asked = key;
      var url = searchUrl + "?q=" + encodeURIComponent(text) + "&unit=" + encodeURIComponent(unit);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (answer) {
          if (!answer || asked !== key) { return; }
          var known = {};
          people.forEach(function (o) { known[o.value] = true; });
          found = {};
          answer.items.forEach(function (person) {
            if (!known[person.id]) { add(person); }
            found[person.id] = true;
          });
          apply(true);
        })
        .catch(function () { /* the people listed still work */ });
    }

    function changed() {
      found = {};
      apply(true);
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, 250);
    }

    search.addEventListener("input", changed);
    unitChoice.addEventListener("change", changed);
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
