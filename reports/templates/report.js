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
      var name = item.getAttribute("data-name");
      var text = (name !== null ? name
        : item.getAttribute("data-search") + " " + item.textContent).toLowerCase();
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

    var hits = [];
    var current = -1;
    var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var clearHits = function () {
      hits.forEach(function (mark) {
        var parent = mark.parentNode;
        if (!parent) { return; }
        parent.replaceChild(document.createTextNode(mark.textContent), mark);
        parent.normalize();
      });
      hits = [];
      current = -1;
    };
    var markHits = function (words) {
      clearHits();
      if (!words.length) { return; }
      var main = document.querySelector("main");
      var walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT, {
        acceptNode: function (node) {
          var el = node.parentNode;
          if (!node.nodeValue.trim() || el.closest("script, style, svg, .find-miss, [hidden]")) {
            return NodeFilter.FILTER_REJECT;
          }
          return NodeFilter.FILTER_ACCEPT;
        }
      });
      var nodes = [];
      while (walker.nextNode() && nodes.length < 5000) { nodes.push(walker.currentNode); }
      nodes.forEach(function (node) {
        if (hits.length >= 300) { return; }
        var value = node.nodeValue;
        var lowerValue = value.toLowerCase();
        var ranges = [];
        words.forEach(function (word) {
          var at = lowerValue.indexOf(word);
          while (at !== -1) { ranges.push([at, at + word.length]); at = lowerValue.indexOf(word, at + word.length); }
        });
        if (!ranges.length) { return; }
        ranges.sort(function (a, b) { return a[0] - b[0]; });
        var fragment = document.createDocumentFragment();
        var last = 0;
        ranges.forEach(function (r) {
          if (r[0] < last) { return; }
          fragment.appendChild(document.createTextNode(value.slice(last, r[0])));
          var mark = document.createElement("mark");
          mark.className = "find-hit";
          mark.textContent = value.slice(r[0], r[1]);
          fragment.appendChild(mark);
          hits.push(mark);
          last = r[1];
        });
        fragment.appendChild(document.createTextNode(value.slice(last)));
        node.parentNode.replaceChild(fragment, node);
      });
      if (hits.length) { showHit(0); }
    };
    var showHit = function (step) {
      if (!hits.length) { return; }
      if (current >= 0 && hits[current]) { hits[current].classList.remove("current"); }
      current = current < 0 ? 0 : (current + step + hits.length) % hits.length;
      var mark = hits[current];
      mark.classList.add("current");
      var holder = mark.closest("details");
      while (holder) {
        if (!holder.open) { holder.open = true; openedByFind.push(holder); }
        holder = holder.parentNode && holder.parentNode.closest ? holder.parentNode.closest("details") : null;
      }
      mark.scrollIntoView({ block: "center", behavior: reduced ? "auto" : "smooth" });
    };

    var lastQuery = "";
    var runFind = function () {
      lastQuery = find.value;
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
      markHits(words);
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
      if (event.key === "Enter") {
        event.preventDefault();
        window.clearTimeout(timer);
        if (find.value !== lastQuery) { runFind(); } else { showHit(1); }
      }
    });
    document.addEventListener("keydown", function (event) {
      var tag = (event.target && event.target.tagName) || "";
      if (event.key === "/" && tag !== "INPUT" && tag !== "TEXTAREA") {
        event.preventDefault();
        find.focus();
      }
    });
  }

  // Zoom and pan of the dependency map: the viewBox changes, nothing is fetched.
  var frame = document.querySelector(".map-frame");
  var svg = frame && frame.querySelector("svg");
  if (svg && svg.viewBox && svg.viewBox.baseVal && svg.viewBox.baseVal.width) {
    var base = svg.viewBox.baseVal;
    var home = { x: base.x, y: base.y, w: base.width, h: base.height };
    var box = { x: home.x, y: home.y, w: home.w, h: home.h };
    var apply = function () {
      svg.setAttribute("viewBox", box.x + " " + box.y + " " + box.w + " " + box.h);
    };
    var zoom = function (factor, fx, fy) {
      var w = Math.min(home.w * 4, Math.max(home.w / 8, box.w / factor));
      var h = w * home.h / home.w;
      var px = fx === undefined ? 0.5 : fx;
      var py = fy === undefined ? 0.5 : fy;
      box.x += (box.w - w) * px;
      box.y += (box.h - h) * py;
      box.w = w; box.h = h;
      apply();
    };
    var tools = document.createElement("div");
    tools.className = "map-tools";
    [["+", "Zoom in", function () { zoom(1.25); }],
     ["\u2212", "Zoom out", function () { zoom(0.8); }],
     ["Reset", "Reset zoom and pan", function () {
       box = { x: home.x, y: home.y, w: home.w, h: home.h }; apply(); }]
    ].forEach(function (spec) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = spec[0];
      button.setAttribute("aria-label", spec[1]);
      button.addEventListener("click", spec[2]);
      tools.appendChild(button);
    });
    frame.parentNode.insertBefore(tools, frame);
    svg.addEventListener("wheel", function (event) {
      if (!event.ctrlKey && !event.metaKey) { return; }
      event.preventDefault();
      var rect = svg.getBoundingClientRect();
      zoom(event.deltaY < 0 ? 1.15 : 1 / 1.15,
        (event.clientX - rect.left) / rect.width, (event.clientY - rect.top) / rect.height);
    }, { passive: false });
    var drag = null;
    svg.addEventListener("pointerdown", function (event) {
      drag = { x: event.clientX, y: event.clientY, bx: box.x, by: box.y };
      svg.setPointerCapture(event.pointerId);
    });
    svg.addEventListener("pointermove", function (event) {
      if (!drag) { return; }
      var rect = svg.getBoundingClientRect();
      box.x = drag.bx - (event.clientX - drag.x) * box.w / rect.width;
      box.y = drag.by - (event.clientY - drag.y) * box.h / rect.height;
      apply();
    });
    var stop = function () { drag = null; };
    svg.addEventListener("pointerup", stop);
    svg.addEventListener("pointercancel", stop);
    window.addEventListener("beforeprint", function () {
      box = { x: home.x, y: home.y, w: home.w, h: home.h }; apply();
    });
  }
}());
