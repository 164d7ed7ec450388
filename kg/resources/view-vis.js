// kg's views: the vis-network drawing (kg/views/page.py picks it for small views). It defines
// kgDraw(data, container, on), which kg/resources/view.js (the panel, find box, legend and time
// slider both drawings share, written right after this in the same script) calls once.
// vis-network draws labels on a canvas and shows string tooltips as plain text: nothing is markup.
window.kgDraw = function (data, container, on) {
  "use strict";
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var network = new vis.Network(container, {nodes: [], edges: []}, data.options);
  var baseEdge = {};
  data.edges.forEach(function (e) { baseEdge[e.id] = {color: e.color, dashes: e.dashes || false}; });
  window.kgNetwork = network;
  window.kgData = {nodes: nodes, edges: edges};

  network.on("stabilizationProgress", function (p) {
    on.progress("Laying out the graph\u2026 " + Math.round(100 * p.iterations / p.total) + "%");
  });
  network.once("stabilizationIterationsDone", function () {
    network.setOptions({physics: false});  // stabilised: the layout stays put, dragging moves one node
    on.laidOut();
    on.ready();
  });
  network.on("click", function (p) {
    if (p.nodes.length) { on.clickNode(p.nodes[0]); } else if (p.edges.length) { on.clickEdge(p.edges[0]); } else {
      on.clickStage();
    }
  });
  function faded(color, opacity) {
    var c = typeof color === "string" ? {color: color, highlight: color, hover: color} : Object.assign({}, color || {});
    c.opacity = opacity;
    return c;
  }
  return {
    linksOf: function (id) { return network.getConnectedEdges(id); },
    selectNode: function (id, zoom) {
      network.selectNodes([id]);
      if (zoom) { network.focus(id, {scale: Math.max(network.getScale(), 0.9), animation: {duration: 300}}); }
    },
    selectEdge: function (id) { network.selectEdges([id]); },
    fit: function () { network.fit({animation: {duration: 300}}); },
    // states: [id, hidden, opacity, dashed] of each fact; returns how many nodes and links are shown
    show: function (states) {
      var nodeUpdates = [], edgeUpdates = [];
      states.forEach(function (s) {
        var id = s[0], hidden = s[1], opacity = s[2], dashed = s[3];
        if (data.details.nodes[id]) {
          nodeUpdates.push({id: id, hidden: hidden, opacity: opacity,
                            shapeProperties: {borderDashes: dashed ? [5, 4] : false}});
        } else if (baseEdge[id]) {
          edgeUpdates.push({id: id, hidden: hidden, color: faded(baseEdge[id].color, opacity),
                            dashes: dashed ? [6, 5] : baseEdge[id].dashes});
        }
      });
      nodes.update(nodeUpdates);
      edges.update(edgeUpdates);
      return {nodes: nodes.get({filter: function (n) { return !n.hidden; }}).length,
              links: edges.get({filter: function (e) { return !e.hidden; }}).length};
    },
    start: function () { network.setData({nodes: nodes, edges: edges}); }
  };
};
