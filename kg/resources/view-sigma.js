// kg's views: the sigma.js drawing (WebGL), which kg/views/page.py picks for large views. graphology
// holds the graph, ForceAtlas2 lays it out in a web worker (the page answers meanwhile), then the
// layout stays put. It defines kgDraw(data, container, on), which kg/resources/view.js (the panel,
// find box, legend and time slider both drawings share, written right after this in the same
// script) calls once. sigma.js draws labels on a canvas, and the tooltip is textContent: nothing
// from the graph is markup.
window.kgDraw = function (data, container, on) {
  "use strict";
  var K = window.kgSigmaLib, o = data.options;
  var EDGE = "#a3acb9", EDGE_ON = "#1b1f24", EDGE_NEAR = "#57606a";
  var graph = new K.Graph({multi: true, type: "directed", allowSelfLoops: true});
  data.nodes.forEach(function (n) {
    graph.addNode(n.id, {label: n.label, color: n.color, size: n.size, x: 0, y: 0, forceLabel: !!n.centre});
  });
  data.edges.forEach(function (e) {
    graph.addDirectedEdgeWithKey(e.id, e.from, e.to, {label: e.label, size: 1, color: EDGE});
  });
  // where the layout starts: the nodes in breadth-first order (from the centre, if any) along a
  // sunflower spiral, so that linked nodes start near each other and ForceAtlas2 has less to undo;
  // the same graph gets the same layout
  var order = [], seen = {}, centre = data.nodes.filter(function (n) { return n.centre; })[0];
  (centre ? [centre].concat(data.nodes) : data.nodes).forEach(function (n) {
    if (seen[n.id]) { return; }
    seen[n.id] = true;
    var queue = [n.id];
    for (var q = 0; q < queue.length; q++) {
      order.push(queue[q]);
      graph.forEachNeighbor(queue[q], function (m) { if (!seen[m]) { seen[m] = true; queue.push(m); } });
    }
  });
  var GOLDEN = Math.PI * (3 - Math.sqrt(5));
  order.forEach(function (id, i) {
    graph.mergeNodeAttributes(id, {x: 10 * Math.sqrt(i) * Math.cos(i * GOLDEN), y: 10 * Math.sqrt(i) * Math.sin(i * GOLDEN)});
  });

  // what the time slider and the filters set (hidden, faded), and what is selected
  var hiddenIds = {}, fadedIds = {}, selectedNode = null, selectedEdge = null, nearSelected = {};
  var fadeCache = {};
  function fade(color) {  // a colour 60% of the way to white: "possibly by then"
    if (!(color in fadeCache)) {
      var m = /^#([0-9a-f]{6})$/i.exec(color), v = m ? parseInt(m[1], 16) : 0xcccccc;
      var mix = function (c) { return Math.round(c + (255 - c) * 0.6); };
      var rgb = (mix(v >> 16 & 255) << 16) | (mix(v >> 8 & 255) << 8) | mix(v & 255);
      fadeCache[color] = "#" + (0x1000000 + rgb).toString(16).slice(1);
    }
    return fadeCache[color];
  }
  function nodeReducer(id, attrs) {
    if (!hiddenIds[id] && !fadedIds[id] && id !== selectedNode) { return attrs; }
    var r = Object.assign({}, attrs);
    if (hiddenIds[id]) { r.hidden = true; } else if (fadedIds[id]) { r.color = fade(attrs.color); }
    if (id === selectedNode) { r.highlighted = true; r.forceLabel = true; r.zIndex = 1; }
    return r;
  }
  function edgeReducer(id, attrs) {
    if (!hiddenIds[id] && !fadedIds[id] && id !== selectedEdge && !nearSelected[id]) { return attrs; }
    var r = Object.assign({}, attrs);
    if (hiddenIds[id]) { r.hidden = true; } else if (fadedIds[id]) { r.color = fade(attrs.color); }
    if (id === selectedEdge) { r.color = EDGE_ON; r.size = 3; r.forceLabel = true; r.zIndex = 1; }
    else if (nearSelected[id] && !r.hidden) { r.color = EDGE_NEAR; r.size = 2; r.zIndex = 1; }
    return r;
  }

  var renderer;
  try {
    // many links: thin lines, which cost a pixel's width each, and no picking of links (half the work)
    renderer = new K.Sigma(graph, container, {
      defaultEdgeType: o.thinEdges ? "thin" : "arrow", edgeProgramClasses: o.thinEdges ? {thin: K.EdgeLineProgram} : {},
      defaultNodeType: o.thinEdges ? "point" : "circle", nodeProgramClasses: o.thinEdges ? {point: K.NodePointProgram} : {},
      renderEdgeLabels: true, enableEdgeEvents: !o.thinEdges, zIndex: true,
      hideEdgesOnMove: o.hideEdgesOnMove, hideLabelsOnMove: o.hideEdgesOnMove,
      labelFont: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", labelSize: 13, labelColor: {color: "#1b1f24"},
      edgeLabelFont: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", edgeLabelSize: 10,
      edgeLabelColor: {color: "#57606a"}, labelRenderedSizeThreshold: 7,
      nodeReducer: nodeReducer, edgeReducer: edgeReducer
    });
  } catch (err) {  // no WebGL here
    on.progress("This view needs WebGL, which this browser does not offer: " + String(err && err.message || err));
    throw err;
  }
  var camera = renderer.getCamera();
  window.kgSigma = renderer;
  window.kgGraph = graph;

  // hovering: a plain-text summary, as vis-network's tooltips
  var tip = document.getElementById("kg-tip");
  function showTip(id, event) {
    var text = on.describe(id);
    if (!text) { return; }
    tip.textContent = text;
    tip.style.left = Math.round(event.x + 14) + "px";
    tip.style.top = Math.round(event.y + 14) + "px";
    tip.hidden = false;
  }
  function hideTip() { tip.hidden = true; }
  renderer.on("enterNode", function (e) { showTip(e.node, e.event); });
  renderer.on("enterEdge", function (e) { showTip(e.edge, e.event); });
  renderer.on("leaveNode", hideTip);
  renderer.on("leaveEdge", hideTip);
  renderer.on("clickNode", function (e) { hideTip(); on.clickNode(e.node); });
  renderer.on("clickEdge", function (e) { hideTip(); on.clickEdge(e.edge); });
  renderer.on("clickStage", function () { hideTip(); on.clickStage(); });

  // the layout: ForceAtlas2 in a web worker for a bounded time, then it stays put
  var layout = null;
  function settle() {
    if (layout) { layout.kill(); layout = null; }
    window.kgLayoutRunning = false;
    on.laidOut();
  }
  function lay() {
    if (graph.order < 2) { settle(); return; }
    var settings = K.forceAtlas2.inferSettings(graph);
    try {
      layout = new K.FA2Layout(graph, {settings: settings});
      layout.start();
      window.kgStats.worker = true;
      window.kgLayoutRunning = true;
      setTimeout(settle, o.layoutMs);
    } catch (err) {  // no worker (a browser or a frame that forbids them): fewer iterations, here
      layout = null;
      window.kgStats.worker = false;
      K.forceAtlas2.assign(graph, {iterations: o.iterations, settings: settings});
      settle();
    }
  }
  function repaint(nodes, edges) {  // only what changed; the layout is the same
    renderer.refresh({partialGraph: {nodes: nodes.filter(function (n) { return graph.hasNode(n); }),
                                     edges: edges.filter(function (e) { return graph.hasEdge(e); })},
                      skipIndexation: true, schedule: true});
  }
  function select(node, edge) {
    var nodes = [selectedNode, node].filter(function (n) { return n !== null; });
    var edges = Object.keys(nearSelected).concat([selectedEdge, edge].filter(function (e) { return e !== null; }));
    selectedNode = node;
    selectedEdge = edge;
    nearSelected = {};
    if (node !== null) { graph.forEachEdge(node, function (id) { nearSelected[id] = true; edges.push(id); }); }
    repaint(nodes, edges);
  }
  return {
    linksOf: function (id) { return graph.edges(id); },
    selectNode: function (id, zoom) {
      select(id, null);
      if (zoom) {
        var d = renderer.getNodeDisplayData(id);
        if (d) { camera.animate({x: d.x, y: d.y, ratio: Math.min(camera.getState().ratio, 0.25)}, {duration: 300}); }
      }
    },
    selectEdge: function (id) { select(null, id); },
    fit: function () { camera.animatedReset({duration: 300}); },
    // states: [id, hidden, opacity, dashed] of each fact; returns how many nodes and links are shown.
    // (sigma.js draws no dashes: an undated fact looks as usual)
    show: function (states) {
      hiddenIds = {};
      fadedIds = {};
      var hiddenNodes = 0, hiddenEdges = 0;
      states.forEach(function (s) {
        if (s[1]) {
          hiddenIds[s[0]] = true;
          if (data.details.nodes[s[0]]) { hiddenNodes += 1; } else { hiddenEdges += 1; }
        } else if (s[2] < 1) { fadedIds[s[0]] = true; }
      });
      renderer.refresh({schedule: true});  // hidden items change what is indexed: all of it again
      return {nodes: data.nodes.length - hiddenNodes, links: data.edges.length - hiddenEdges};
    },
    start: function () {
      lay();
      requestAnimationFrame(function () { on.ready(); });  // drawn once: the page answers from now on
    }
  };
};
