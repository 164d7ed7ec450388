"""The sigma.js drawing of a view: for large views, which vis-network cannot draw at a usable speed.

sigma.js draws with WebGL; graphology holds the graph in the page, and its ForceAtlas2 lays it out
in a web worker, so the page answers while the layout runs. The three are bundled once (with
esbuild, from the npm packages pinned in vendor/sigma/: `make vendor`) into
kg/resources/vendor/sigma.min.js, with their licences beside it; the package carries the bundle,
so nothing is fetched, at build time or in the page.

This module makes what the page's sigma drawing (kg/resources/view-sigma.js) reads: one item per
node (caption, colour, size) and per link (ends, label in words with its date), and the options
that depend on the size. The panel, legend and time slider read the same data as vis-network's
pages (kg/views/page.py)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from kg.views.build import View
from kg.views.labels import caption, link_label

#: `kg viz --renderer auto` draws with sigma.js above this many nodes, or above `ABOVE_EDGES` links
#: (bench/viz.py: see docs/viz.md, "Large graphs", for the measurements behind them)
ABOVE_NODES = 1_000
ABOVE_EDGES = 2_500
#: a node's size in sigma.js, from its look's (vis-network's) size, up to `_ROOMY` nodes; smaller
#: above (as the square root of the count: the same share of the screen in all)
_SCALE = 0.35
_ROOMY = 2_000
#: above this many links (as from `auto`'s threshold), links are thin lines (no arrow heads, no
#: hovering or clicking a link: its facts are one click away in its ends' panels) and nodes are
#: points: where there is no GPU, WebGL runs on the CPU (SwiftShader), and arrows, discs and
#: picking links cost four to five times more a frame (bench/viz.py: 419 against 85 ms at 2,000 nodes)
THIN_ABOVE = ABOVE_EDGES


@cache
def bundle() -> str:
    """sigma.js, graphology and graphology-layout-forceatlas2 (with its worker), one minified script."""
    return resources.files("kg").joinpath("resources", "vendor", "sigma.min.js").read_text(encoding="utf-8")


def items(view: View) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The nodes ({id, label, color, size}; the centre of a neighbourhood larger, with `centre`) and
    the links ({id, from, to, label}) of the drawing, in the view's order."""
    nodes = []
    scale = _SCALE * min(1.0, (_ROOMY / max(len(view.nodes), 1)) ** 0.5)
    for node in view.nodes:
        _, style, label = caption(node)
        item: dict[str, Any] = {"id": node["id"], "label": label, "color": style.color,
                                "size": round(style.size * scale, 2)}
        if node["id"] == view.focus:
            item.update(size=round(style.size * scale * 1.6, 2), centre=True)
        nodes.append(item)
    edges = [{"id": e["id"], "from": e["from"], "to": e["to"], "label": link_label(e)} for e in view.edges]
    return nodes, edges


def options(n_nodes: int, n_edges: int) -> dict[str, Any]:
    """What depends on the size: how long ForceAtlas2 runs in its worker before the layout stays put
    (ms), how many iterations it runs without a worker, whether links are thin lines, and whether
    links are left out while the view moves."""
    return {
        "layoutMs": int(min(20_000, 2_000 + n_nodes * 0.6)),
        "iterations": max(50, min(500, 200_000 // max(n_nodes, 1))),
        "thinEdges": n_edges > THIN_ABOVE,
        "hideEdgesOnMove": n_edges > 20_000,
    }
