// kg's views: what both drawings share (the legend, the side panel, the find box, Fit, the time
// slider and its filters, and the hooks window.kgReady, kgShow, kgStats and kgTimeState). It runs
// after the drawing's own code (kg/resources/view-vis.js or view-sigma.js) in the same script,
// and calls the kgDraw(data, container, on) that code defines; the drawing answers linksOf,
// selectNode, selectEdge, fit, show (what the slider and filters hide or fade) and start.
(function () {
  "use strict";
  // Everything shown comes from the JSON of the page and is written with textContent: never as markup.
  var begun = performance.now();
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var parseMs = Math.round(performance.now() - begun);
  var SVG = "http://www.w3.org/2000/svg";
  var looks = {};
  data.legend.forEach(function (k) { looks[k.kind] = k; });

  function byId(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function svgEl(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });
    return e;
  }
  function polygon(points) { return svgEl("polygon", {points: points.join(" ")}); }
  function regular(n, r, turn) {
    var pts = [];
    for (var i = 0; i < n; i++) {
      var a = turn + 2 * Math.PI * i / n;
      pts.push((10 + r * Math.cos(a)).toFixed(2) + "," + (10 + r * Math.sin(a)).toFixed(2));
    }
    return pts;
  }
  function star() {
    var pts = [];
    for (var i = 0; i < 10; i++) {
      var r = i % 2 ? 3.8 : 9, a = -Math.PI / 2 + Math.PI * i / 5;
      pts.push((10 + r * Math.cos(a)).toFixed(2) + "," + (10.5 + r * Math.sin(a)).toFixed(2));
    }
    return pts;
  }
  function swatch(kind) {
    var look = looks[kind] || {shape: "dot", color: "#cccccc", border: "#888888"};
    var svg = svgEl("svg", {viewBox: "0 0 20 20", width: 18, height: 18, "aria-hidden": "true"});
    var s;
    switch (look.shape) {
      case "square": s = svgEl("rect", {x: 3, y: 3, width: 14, height: 14}); break;
      case "box": s = svgEl("rect", {x: 1.5, y: 5, width: 17, height: 10, rx: 3}); break;
      case "ellipse": s = svgEl("ellipse", {cx: 10, cy: 10, rx: 9, ry: 6}); break;
      case "diamond": s = polygon(["10,1.5", "18.5,10", "10,18.5", "1.5,10"]); break;
      case "triangle": s = polygon(["10,2", "18.5,17", "1.5,17"]); break;
      case "hexagon": s = polygon(regular(6, 8.5, 0)); break;
      case "star": s = polygon(star()); break;
      default: s = svgEl("circle", {cx: 10, cy: 10, r: 7});
    }
    s.setAttribute("fill", look.color);
    s.setAttribute("stroke", look.border);
    s.setAttribute("stroke-width", "1.5");
    svg.appendChild(s);
    return svg;
  }

  // --- legend ------------------------------------------------------------------------------------
  var kinds = byId("kg-legend-kinds");
  data.legend.forEach(function (k) {
    var li = el("li");
    li.appendChild(swatch(k.kind));
    li.appendChild(el("span", null, k.kind));
    li.appendChild(el("span", "kg-count", "(" + k.count + ")"));
    kinds.appendChild(li);
  });
  byId("kg-legend-edges").textContent = "Arrows read as a sentence: subject, link in words, object " +
    "(\u201cmade\u201d, \u201chad access\u201d, \u201cabout\u201d); dated links show the date in brackets. " +
    "Hover or click anything for its facts, each source and its quote.";
  byId("kg-legend-provenance").textContent = data.provenance
    ? "Sources are drawn (grey boxes) with their mentions, reports, published by and authored by links."
    : "Sources are not drawn (nor their " + data.hiddenRelationships.join(", ") + " links): every fact " +
      "lists its own. kg viz --provenance draws them.";

  // --- the drawing ------------------------------------------------------------------------------
  var status = byId("kg-status");
  var started = performance.now();
  window.kgReady = false;
  // scriptAt: when the script started (ms from navigation); parseMs: reading the data
  window.kgStats = {nodes: data.nodes.length, edges: data.edges.length, renderer: data.renderer || "vis",
                    scriptAt: Math.round(begun), parseMs: parseMs};

  function ready() {
    if (window.kgReady) { return; }
    window.kgStats.readyMs = Math.round(performance.now() - started);
    if (data.nodes.length) { status.hidden = true; }
    if (data.focus && data.details.nodes[data.focus]) { showNode(data.focus); }  // opens on its centre's facts
    window.kgReady = true;
    document.body.setAttribute("data-kg-ready", "true");
  }
  var draw = window.kgDraw(data, byId("kg-network"), {
    progress: function (text) { status.textContent = text; },
    laidOut: function () {  // the layout stays put from now on
      if (window.kgStats.layoutMs === undefined) { window.kgStats.layoutMs = Math.round(performance.now() - started); }
    },
    ready: ready,
    clickNode: function (id) { showNode(id); },
    clickEdge: function (id) { showEdge(id); },
    clickStage: function () { hint(); },
    describe: describe
  });

  // --- the panel ---------------------------------------------------------------------------------
  var info = byId("kg-info");
  function hint() {
    info.replaceChildren(el("p", "kg-hint", "Click a node or a link to see the facts behind it: its properties, " +
      "dates and their precision, confidence, and each source with the words it used."));
  }
  function nameOf(id) {
    var d = data.details.nodes[id];
    return d ? d.name : id;
  }
  function text(v) {
    if (Array.isArray(v)) { return v.map(text).join("; "); }
    if (v === true) { return "yes"; }
    if (v === false) { return "no"; }
    return String(v);
  }
  function section(title) {
    info.appendChild(el("h3", null, title));
  }
  function table(pairs) {
    if (!pairs.length) { return; }
    var dl = el("dl");
    pairs.forEach(function (p) { dl.appendChild(el("dt", null, p[0])); dl.appendChild(el("dd", null, p[1])); });
    info.appendChild(dl);
  }
  function facts(d) {
    var pairs = Object.keys(d.facts).map(function (k) { return [k.replace(/_/g, " "), text(d.facts[k])]; });
    if (d.confidence) { pairs.push(["confidence", d.confidence]); }
    if (pairs.length) { section("Facts"); table(pairs); }
  }
  function dates(d) {
    if (!d.dates.length) { return; }
    section("Dates");
    d.dates.forEach(function (x) {
      var pairs = [[x.key, x.value + (x.precision ? " (" + x.precision + " precision)" : "")]];
      if (x.as_written) { pairs.push(["as written", "\u201c" + x.as_written + "\u201d"]); }
      if (x.note) { pairs.push(["how resolved", x.note]); }
      table(pairs);
    });
  }
  function sourceLine(id, confidence) {
    var s = data.sources[id] || {};
    var bits = [];
    if (s.publisher && s.publisher.length) { bits.push(s.publisher.join(", ")); }
    if (s.authors && s.authors.length) { bits.push("by " + s.authors.join(", ")); }
    if (s.published) {
      bits.push(s.published + (s.published_as_written ? " (\u201c" + s.published_as_written + "\u201d)" : ""));
    }
    if (confidence) { bits.push("confidence: " + confidence); }
    bits.push(id);
    var line = el("div", "kg-src", "\u2014 " + (s.title || id) + (bits.length ? " \u00b7 " + bits.join(" \u00b7 ") : ""));
    if (s.url) {
      try {
        var url = new URL(s.url);
        if (url.protocol === "https:" || url.protocol === "http:") {
          var a = el("a", null, " (article)");
          a.href = url.href;
          a.target = "_blank";
          a.rel = "noopener noreferrer";
          line.appendChild(a);
        }
      } catch (e) { /* not a URL: shown nowhere */ }
    }
    return line;
  }
  function citations(d) {
    if (!d.citations.length) { return; }
    section(d.citations.length === 1 ? "Source" : "Sources (" + d.citations.length + ")");
    var ol = el("ol");
    d.citations.forEach(function (c) {
      var li = el("li");
      if (c.quote) { li.appendChild(el("blockquote", null, "\u201c" + c.quote + "\u201d")); }
      li.appendChild(sourceLine(c.source, c.confidence));
      ol.appendChild(li);
    });
    info.appendChild(ol);
  }
  function mentions(d) {
    var cited = d.citations.map(function (c) { return c.source; });
    var only = d.mentioned_by.filter(function (s) { return cited.indexOf(s) < 0; });
    if (!only.length) { return; }
    section("Named by");
    var ul = el("ul");
    only.forEach(function (s) { var li = el("li"); li.appendChild(sourceLine(s, null)); ul.appendChild(li); });
    info.appendChild(ul);
  }
  function button(label, action) {
    var b = el("button", "kg-link", label);
    b.type = "button";
    b.addEventListener("click", action);
    return b;
  }
  function kindLine(kind, id) {
    var line = el("div", "kg-kind");
    line.appendChild(swatch(kind));
    line.appendChild(el("span", null, kind + " \u00b7 " + id));
    return line;
  }
  function showNode(id) {
    var d = data.details.nodes[id];
    if (!d) { return false; }
    info.replaceChildren(kindLine(d.kind, d.id), el("h2", null, d.name));
    if (d.aliases.length) { info.appendChild(el("p", null, "Also called: " + d.aliases.join("; "))); }
    facts(d);
    dates(d);
    citations(d);
    mentions(d);
    var linked = draw.linksOf(id);
    if (linked.length) {
      section("Links in this view (" + linked.length + ")");
      var ul = el("ul", "kg-links");
      linked.forEach(function (eid) {
        var e = data.details.edges[eid];
        if (!e) { return; }
        var out = e.from === id;
        var label = (out ? "\u2192 " + e.words + " \u2192 " : "\u2190 " + e.words + " \u2190 ") + nameOf(out ? e.to : e.from);
        var li = el("li");
        li.appendChild(button(label, function () { select(eid); }));
        ul.appendChild(li);
      });
      info.appendChild(ul);
    }
    return true;
  }
  function showEdge(id) {
    var d = data.details.edges[id];
    if (!d) { return false; }
    info.replaceChildren(el("div", "kg-kind", "Link \u00b7 " + d.type + (d.key ? " \u00b7 " + d.key : "")),
                         el("h2", null, d.words));
    var ends = el("p");
    ends.appendChild(button(nameOf(d.from), function () { select(d.from); }));
    ends.appendChild(el("span", null, " \u2192 " + d.words + " \u2192 "));
    ends.appendChild(button(nameOf(d.to), function () { select(d.to); }));
    info.appendChild(ends);
    facts(d);
    dates(d);
    citations(d);
    return true;
  }
  function select(id, zoom) {
    if (data.details.nodes[id]) {
      draw.selectNode(id, zoom !== false);
      return showNode(id);
    }
    if (data.details.edges[id]) {
      draw.selectEdge(id);
      return showEdge(id);
    }
    return false;
  }
  window.kgShow = select;  // kgShow(id[, zoom]): select a node or a link by id and show its facts
  // a short plain-text summary of a node or a link, for drawings that build their own tooltips
  function describe(id) {
    var d = data.details.nodes[id], lines = [];
    if (d) {
      lines.push(d.name, d.kind + " \u00b7 " + d.id);
      if (d.aliases.length) { lines.push("also: " + d.aliases.join(", ")); }
    } else {
      d = data.details.edges[id];
      if (!d) { return ""; }
      lines.push(nameOf(d.from) + " \u2192 " + d.words + " \u2192 " + nameOf(d.to));
    }
    d.dates.forEach(function (x) { lines.push(x.key + ": " + x.value + (x.precision ? " (" + x.precision + ")" : "")); });
    if (d.confidence) { lines.push("confidence: " + d.confidence); }
    d.citations.slice(0, 2).forEach(function (c) {
      var s = data.sources[c.source] || {}, quote = String(c.quote || "");
      lines.push("\u201c" + (quote.length > 180 ? quote.slice(0, 179) + "\u2026" : quote) + "\u201d (" +
                 (s.title || c.source) + ")");
    });
    if (d.citations.length > 2) { lines.push("\u2026 and " + (d.citations.length - 2) + " more sources"); }
    lines.push("Click for the facts and their sources.");
    return lines.join("\n");
  }
  hint();

  // --- finding a name ----------------------------------------------------------------------------
  // the index of names and aliases, and the find box's list, made when first needed (a large view
  // has tens of thousands of them)
  var names = byId("kg-names"), find = byId("kg-find"), index = null;
  function nameIndex() {
    if (index !== null) { return index; }
    index = [];
    Object.keys(data.details.nodes).forEach(function (id) {
      var d = data.details.nodes[id];
      [d.name].concat(d.aliases).forEach(function (n) { index.push([String(n), id]); });
    });
    index.sort(function (a, b) { return a[0].localeCompare(b[0]); });
    var list = document.createDocumentFragment();
    index.forEach(function (entry) { var o = document.createElement("option"); o.value = entry[0]; list.appendChild(o); });
    names.appendChild(list);
    return index;
  }
  find.addEventListener("focus", nameIndex);
  function lookup() {
    var q = find.value.trim().toLowerCase();
    if (!q) { return; }
    nameIndex();
    var hit = index.filter(function (e) { return e[0].toLowerCase() === q; })[0] ||
              index.filter(function (e) { return e[0].toLowerCase().indexOf(q) >= 0; })[0];
    if (hit) { select(hit[1]); }
  }
  find.addEventListener("change", lookup);
  find.addEventListener("keydown", function (e) { if (e.key === "Enter") { lookup(); } });
  byId("kg-fit").addEventListener("click", function () { draw.fit(); });

  // --- time and filters -----------------------------------------------------------------------
  // kg/views/page.py applied kg's as-of rule already: a fact shows at a stop when lo <= stop.hi, certainly
  // when hi <= stop.hi; undated facts stay, dashed; facts only possibly there by then are faded.
  var T = data.time, stops = T.stops, factIds = Object.keys(T.facts);
  var slider = byId("kg-time"), timeLabel = byId("kg-time-label"), timeCounts = byId("kg-time-counts");
  var sourceSelect = byId("kg-source"), confOn = {}, playing = null;
  T.confidences.forEach(function (c) {
    confOn[c] = true;
    var label = el("label"), box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.addEventListener("change", function () { confOn[c] = box.checked; apply(); });
    label.appendChild(box);
    label.appendChild(el("span", null, " " + c));
    byId("kg-confidences").appendChild(label);
  });
  T.sources.forEach(function (id) {
    var o = el("option", null, (data.sources[id] && data.sources[id].title) || id);
    o.value = id;
    sourceSelect.appendChild(o);
  });
  sourceSelect.addEventListener("change", function () { apply(); });
  slider.max = String(stops.length);  // the last position: every date
  var start = stops.length;
  if (T.asOf) { stops.forEach(function (s, i) { if (s.date === T.asOf) { start = i; } }); }
  slider.value = String(start);
  function apply() {
    var pos = Number(slider.value), stop = pos < stops.length ? stops[pos] : null, src = sourceSelect.value;
    var counts = {facts: factIds.length, certain: 0, possible: 0, later: 0, undated: 0, filtered: 0};
    var states = [];
    factIds.forEach(function (id) {
      var f = T.facts[id];
      var kept = (!f.confidences.length || f.confidences.some(function (c) { return confOn[c]; })) &&
                 (!src || f.sources.indexOf(src) >= 0);
      var state = !f.date ? "undated" : !stop || f.hi <= stop.hi ? "certain" : f.lo <= stop.hi ? "possible" : "later";
      var hidden = !kept || state === "later";
      if (!kept) { counts.filtered += 1; } else { counts[state] += 1; }
      states.push([id, hidden, state === "possible" ? 0.4 : 1, state === "undated" && stop !== null]);
    });
    var visible = draw.show(states);
    timeLabel.textContent = stop ? stop.date + " (" + (stop.precision || "?") + ")" : "every date";
    var shown = counts.certain + counts.possible + counts.undated;
    timeCounts.textContent = shown + " of " + counts.facts + " facts shown" +
      (stop ? ": " + counts.certain + " by then, " + counts.possible + " possibly by then (faded, their dates " +
              "are less precise), " + counts.undated + " undated (dashed); " + counts.later + " later, hidden"
            : "; " + counts.undated + " undated") +
      (counts.filtered ? "; " + counts.filtered + " filtered out by confidence or source" : "");
    var visibleNodes = visible.nodes, visibleEdges = visible.links;
    byId("kg-counts").textContent = visibleNodes + " of " + data.nodes.length + " nodes, " +
      visibleEdges + " of " + data.edges.length + " links";
    window.kgTimeState = {stop: stop ? stop.date : null, counts: counts, nodes: visibleNodes, links: visibleEdges};
  }
  function stopPlaying() {
    if (playing !== null) { clearInterval(playing); playing = null; }
    byId("kg-play").textContent = "\u25b6 Play";
  }
  slider.addEventListener("input", function () { apply(); });
  byId("kg-play").addEventListener("click", function () {
    if (playing !== null) { stopPlaying(); return; }
    if (Number(slider.value) >= stops.length) { slider.value = "0"; apply(); }
    byId("kg-play").textContent = "\u23f8 Pause";
    playing = setInterval(function () {
      if (Number(slider.value) >= stops.length) { stopPlaying(); return; }
      slider.value = String(Number(slider.value) + 1);
      apply();
    }, 900);
  });
  byId("kg-timebar").hidden = !factIds.length;

  // --- go: the data last, once every handler is in place ----------------------------------------
  apply();
  draw.start();
  if (!data.nodes.length) {
    status.textContent = "This view is empty: the graph holds nothing for it.";
    ready();
  }
}());
