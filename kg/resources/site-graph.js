// kg site: one page draws every entity's neighbourhood (graph/#ID). It fetches the entity's piece
// (kg/views/shards.py: ID/neighbourhood.json) and its neighbours' pieces (and once, every source's
// details), puts together the data
// that `kg viz --focus ID` would give its page (the centre, its neighbours, every relationship
// among them, in the same order), writes it where the views' script reads it, and loads that
// script (kg-view.js), which draws it. Nothing is written as markup: only textContent and JSON.
(function () {
  "use strict";
  var script = document.currentScript;
  var SAFE = /^[a-z0-9][a-z0-9-]*$/;  // kg site's ids, as folder names
  var LABEL_INSIDE = ["box", "ellipse", "circle", "database", "text"];
  var CONFIDENCES = ["high", "medium", "low"];
  var holder = document.getElementById("kg-data");
  var start = JSON.parse(holder.textContent), base = start.options;

  function byId(id) { return document.getElementById(id); }
  function say(text) { byId("kg-status").textContent = text; }
  function cmp(a, b) { return a < b ? -1 : a > b ? 1 : 0; }
  function cmpList(a, b) {
    for (var i = 0; i < a.length; i++) { var c = cmp(a[i], b[i]); if (c) { return c; } }
    return 0;
  }
  function plural(n, word) { return n + " " + word + (n !== 1 ? "s" : ""); }
  function get(href) {
    return fetch(new URL(href, location.href))
      .then(function (r) { return r.ok ? r.json() : null; })
      .catch(function () { return null; });
  }
  function piece(id) { return get(script.dataset.pieces + id + "/neighbourhood.json"); }
  var everySource = null;  // the details of every source, read once
  function sources() {
    if (everySource === null) { everySource = get(script.dataset.sources).then(function (s) { return s || {}; }); }
    return everySource;
  }
  // at most 8 requests at a time: a hub's page asks for thousands of pieces
  function pieces(ids) {
    var out = {}, next = 0;
    function worker() {
      if (next >= ids.length) { return Promise.resolve(); }
      var id = ids[next++];
      return piece(id).then(function (p) { if (p) { out[id] = p; } return worker(); });
    }
    var workers = [];
    for (var i = 0; i < Math.min(8, ids.length); i++) { workers.push(worker()); }
    return Promise.all(workers).then(function () { return out; });
  }

  // vis-network's options by the size of the drawing, as kg/views/page.py's vis_options sets them
  function options(nNodes, nEdges) {
    var o = JSON.parse(JSON.stringify(base));
    var big = nNodes > 400 || nEdges > 1000;
    o.layout.improvedLayout = nNodes <= 300;
    o.physics.stabilization.iterations = nNodes <= 300 ? 400 :
      Math.max(100, Math.min(400, Math.floor(150000 / Math.max(nNodes, 1))));
    o.interaction.hideEdgesOnDrag = big;
    o.interaction.hideEdgesOnZoom = big;
    return o;
  }

  function compose(centre, found, known) {
    var all = {};
    all[centre.id] = centre;
    centre.near.forEach(function (id) { if (found[id]) { all[id] = found[id]; } });
    var ids = Object.keys(all).sort(cmp);
    var shown = {};
    ids.forEach(function (id) { shown[id] = true; });
    var nodes = ids.map(function (id) {
      return id === centre.id ? Object.assign({}, all[id].node, all[id].centre) : all[id].node;
    });
    var seen = {}, edges = [];
    ids.forEach(function (id) {
      all[id].edges.forEach(function (e) {
        var d = e.details;
        if (!seen[e.item.id] && shown[d.from] && shown[d.to]) { seen[e.item.id] = true; edges.push(e); }
      });
    });
    function order(e) { return [e.details.type, e.details.from, e.details.to, e.details.key || "", e.item.id]; }
    edges.sort(function (a, b) { return cmpList(order(a), order(b)); });
    var details = {nodes: {}, edges: {}}, cited = {}, counts = {}, looks = {};
    ids.forEach(function (id) {
      var p = all[id];
      details.nodes[id] = p.details;
      p.cites.forEach(function (s) { cited[s] = true; });
      counts[p.legend.kind] = (counts[p.legend.kind] || 0) + 1;
      looks[p.legend.kind] = p.legend;
    });
    edges.forEach(function (e) {
      details.edges[e.item.id] = e.details;
      e.cites.forEach(function (s) { cited[s] = true; });
    });
    var sources = {};
    Object.keys(cited).sort(cmp).forEach(function (s) { if (known[s]) { sources[s] = known[s]; } });
    var legend = Object.keys(counts).sort(function (a, b) {
      return looks[a].rank - looks[b].rank || cmp(a, b);
    }).map(function (k) {
      var l = looks[k];
      return {kind: k, count: counts[k], color: l.color, border: l.border, shape: l.shape};
    });
    // the time slider, as kg/views/page.py's timeline: fact nodes in node order, then relationships
    var facts = {}, precisions = {}, dated = [];
    ids.forEach(function (id) { if (all[id].fact) { facts[id] = all[id].fact; } });
    edges.forEach(function (e) { if (e.fact) { facts[e.item.id] = e.fact; } });
    var confidences = {}, factSources = {};
    Object.keys(facts).forEach(function (k) {
      var f = facts[k];
      if (f.date) {
        if (!(f.date in precisions)) { dated.push(f.date); }
        precisions[f.date] = {precision: f.precision, hi: f.hi};
      }
      f.confidences.forEach(function (c) { confidences[c] = true; });
      f.sources.forEach(function (s) { factSources[s] = true; });
    });
    dated.sort(function (a, b) { return cmpList([precisions[a].hi, a], [precisions[b].hi, b]); });
    function rank(c) { var i = CONFIDENCES.indexOf(c); return i < 0 ? 3 : i; }
    var name = centre.name;
    return {
      renderer: "vis",  // the site draws every neighbourhood with vis-network (kg-view.js)
      title: "Around " + name, subtitle: "everything within 1 link of " + name + " (" + centre.id + ")",
      nodes: nodes, edges: edges.map(function (e) { return e.item; }), options: options(nodes.length, edges.length),
      details: details, sources: sources, legend: legend, provenance: false, focus: centre.id,
      hiddenRelationships: start.hidden,
      time: {
        facts: facts,
        stops: dated.map(function (d) { return {date: d, precision: precisions[d].precision, hi: precisions[d].hi}; }),
        asOf: null,
        confidences: Object.keys(confidences).sort(function (a, b) { return rank(a) - rank(b) || cmp(a, b); }),
        sources: Object.keys(factSources).sort(cmp)
      }
    };
  }

  function draw(data) {
    holder.textContent = JSON.stringify(data);
    document.title = data.title + " · kg";
    byId("kg-title").textContent = data.title;
    byId("kg-subtitle").textContent = data.subtitle;
    byId("kg-counts").textContent = plural(data.nodes.length, "node") + ", " + plural(data.edges.length, "link");
    var view = document.createElement("script");
    view.src = script.dataset.view;
    document.body.appendChild(view);
  }

  // for the tests and for tools: the data of ID's neighbourhood, without drawing it
  window.kgNeighbourhood = function (id) {
    if (!SAFE.test(id)) { return Promise.reject(new Error("not an id of this site: " + id)); }
    return piece(id).then(function (centre) {
      if (!centre) { throw new Error("no entity " + id + " in this site"); }
      return Promise.all([pieces(centre.near), sources()]).then(function (got) {
        return compose(centre, got[0], got[1]);
      });
    });
  };
  window.kgNeighbourhoodOptions = options;

  var wanted = decodeURIComponent(location.hash.slice(1));
  if (!wanted) { say("Which neighbourhood? Follow “Its neighbourhood, drawn” from an entity's page."); return; }
  window.kgNeighbourhood(wanted).then(draw, function (e) { say(String(e.message)); });
  window.addEventListener("hashchange", function () { location.reload(); });
}());
