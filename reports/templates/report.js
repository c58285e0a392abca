(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function cellValue(row, index) {
    var cell = row.cells[index];
    if (!cell) { return ""; }
    return cell.getAttribute("data-sort") || cell.textContent.trim();
  }

  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  var numeric = /^-?[0-9]+(\.[0-9]+)?$/;

  function sortBy(table, header, index) {
    var body = table.tBodies[0];
    if (!body) { return; }
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(header.parentNode.cells, function (th) {
      th.removeAttribute("aria-sort");
    });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var keyed = Array.prototype.map.call(body.rows, function (row, position) {
      var value = cellValue(row, index);
      return { row: row, value: value, number: numeric.test(value) ? parseFloat(value) : null,
               position: position };
    });
    keyed.sort(function (a, b) {
      var order = (a.number !== null && b.number !== null)
        ? a.number - b.number : collator.compare(a.value, b.value);
      return (ascending ? order : -order) || a.position - b.position;
    });
    var fragment = document.createDocumentFragment();
    keyed.forEach(function (item) { fragment.appendChild(item.row); });
    body.appendChild(fragment);
  }

  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    var head = table.tHead && table.tHead.rows[0];
    if (!head) { return; }
    Array.prototype.forEach.call(head.cells, function (th, index) {
      th.tabIndex = 0;
      th.setAttribute("title", "Sort by this column");
      th.addEventListener("click", function () { sortBy(table, th, index); });
      th.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          sortBy(table, th, index);
        }
      });
    });
  });

  function applyFilter(input) {
    var target = document.querySelector(input.getAttribute("data-filter"));
    if (!target) { return; }
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var items = target.querySelectorAll("[data-search]");
    var shown = 0;
    Array.prototype.forEach.call(items, function (item) {
      var text = (item.getAttribute("data-search") + " " + item.textContent).toLowerCase();
      var match = words.every(function (word) { return text.indexOf(word) !== -1; });
      item.hidden = !match;
      if (match) { shown += 1; }
    });
    var counter = document.querySelector(
      '[data-count-for="' + input.getAttribute("data-filter") + '"]');
    if (counter) {
      counter.textContent = words.length ? shown + " of " + items.length + " shown" : "";
    }
  }

  Array.prototype.forEach.call(document.querySelectorAll("input.filter"), function (input) {
    input.hidden = false;
    input.addEventListener("input", function () { applyFilter(input); });
  });

  // Page-wide search: hides items ([data-find]) that lack any of the words, and sections left
  // with nothing to show; works on top of the per-section filters (which use `hidden`).
  var find = document.getElementById("find");
  var findStatus = document.getElementById("find-status");
  if (find) {
    find.hidden = false;
    var items = Array.prototype.slice.call(document.querySelectorAll("main [data-find]"));
    var sections = Array.prototype.slice.call(document.querySelectorAll("main > section"));
    var itemText = null;
    var sectionText = null;
    var openedByFind = [];
    var timer = 0;

    var lower = function (node) {
      return ((node.getAttribute("data-search") || "") + " " + node.textContent).toLowerCase();
    };
    var hasAll = function (text, words) {
      return words.every(function (word) { return text.indexOf(word) !== -1; });
    };

    var runFind = function () {
      var words = find.value.toLowerCase().split(/\s+/).filter(Boolean);
      if (itemText === null) {
        itemText = items.map(lower);
        sectionText = sections.map(lower);
      }
      openedByFind.forEach(function (d) { d.open = false; });
      openedByFind = [];
      var shown = 0;
      items.forEach(function (item, i) {
        var match = !words.length || hasAll(itemText[i], words);
        item.classList.toggle("find-miss", !match);
        if (match && words.length) {
          shown += 1;
          Array.prototype.forEach.call(item.querySelectorAll("details.members, details.evidence"), function (d) {
            if (!d.open && hasAll(d.textContent.toLowerCase(), words)) {
              d.open = true;
              openedByFind.push(d);
            }
          });
          var summary = item.tagName === "DETAILS" ? item.querySelector("summary") : null;
          if (summary && !item.open && hasAll(summary.textContent.toLowerCase(), words)) {
            item.open = true;
            openedByFind.push(item);
          }
        }
      });
      var sectionsShown = 0;
      sections.forEach(function (section, i) {
        var keep = !words.length || hasAll(sectionText[i], words) ||
          section.querySelector("[data-find]:not(.find-miss)") !== null;
        section.classList.toggle("find-miss", !keep);
        if (keep) { sectionsShown += 1; }
      });
      findStatus.textContent = words.length
        ? (shown ? shown + " match" + (shown === 1 ? "" : "es") + " in " + sectionsShown +
           " section" + (sectionsShown === 1 ? "" : "s") : "No match")
        : "";
    };

    find.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(runFind, items.length > 2000 ? 200 : 60);
    });
    find.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { find.value = ""; runFind(); }
    });
    document.addEventListener("keydown", function (event) {
      var tag = (event.target && event.target.tagName) || "";
      if (event.key === "/" && tag !== "INPUT" && tag !== "TEXTAREA") {
        event.preventDefault();
        find.focus();
      }
    });
  }

  var opened = [];
  window.addEventListener("beforeprint", function () {
    opened = Array.prototype.filter.call(document.querySelectorAll("details"), function (d) {
      return !d.open;
    });
    opened.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });
}());
