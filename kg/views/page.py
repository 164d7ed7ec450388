"""The page of a view (kg/views/build.py): one self-contained HTML file that opens offline.

Two renderers draw it (`choose`): vis-network for small views, whose nodes, edges and options
pyvis builds, and sigma.js (WebGL, ForceAtlas2 in a web worker; kg/views/sigma.py) for large ones.
The page itself is kg's own template (`kg/resources/viz.html`) with the renderer's library inlined
(vis-network's JavaScript and CSS from the copies pyvis ships, or kg's bundle of sigma.js) and kg's
script: the renderer's drawing (kg/resources/view-vis.js or view-sigma.js) and what both share
(kg/resources/view.js: the panel, find box, legend and time slider), so the file opens offline and
makes no request (pyvis's own templates fetch Bootstrap from a CDN or write a `lib/` folder). Text
from the graph never becomes markup: the data travels as JSON in a `<script type="application/json">`
element with `<`, `>` and `&` escaped, the page builds its panels and tooltips with `textContent`,
both renderers draw labels on a canvas (vis-network shows string tooltips as plain text), the title
is HTML-escaped, and a Content-Security-Policy allows only the page's own two scripts (by hash), no
network access at all, and for sigma.js a worker from a `blob:` URL (ForceAtlas2's own code).

>>> html = render(db, focus="Hamilton police", depth=2)        # doctest: +SKIP
>>> notebook(html)                                             # doctest: +SKIP
"""

from __future__ import annotations

import base64
import hashlib
import html as htmlmod
import json
import re
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from kg.errors import KgError
from kg.graph import when
from kg.graph.db import Database
from kg.graph.palette import PALETTE, look
from kg.graph.schema import DERIVED, NODE_KINDS
from kg.views import sigma
from kg.views.build import View, build, hidden_rels
from kg.views.labels import caption, link_label
from kg.views.labels import date_text as date_text  # kg.views.page.date_text and .words, as before
from kg.views.labels import words as words

#: Bookkeeping properties that are not facts (the loader's indexes and reload memory).
_INTERNAL = {*DERIVED, "reports", "cites"}
#: Properties shown in their own sections of the panel, not in the property list.
_CITATION = {"sources", "quotes", "confidences", "confidence"}
_DATE_KEYS = ("date", "start", "end", "published")
_DATE_PARTS = ("_precision", "_as_written", "_note")
_VIS = ("lib", "vis-9.1.2")
#: vis-network shapes that draw their label inside them (the others draw it below).
_LABEL_INSIDE = ("box", "ellipse", "circle", "database", "text")


# --- the vis-network data ------------------------------------------------------------------------

def _dates(props: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    for key in _DATE_KEYS:
        if props.get(key) is not None:
            out.append({"key": key, "value": props[key],
                        **{part[1:]: props[key + part] for part in _DATE_PARTS if props.get(key + part) is not None}})
    return out


def _date_keys() -> set[str]:
    return {key + part for key in _DATE_KEYS for part in ("", *_DATE_PARTS)}


def _citations(props: Mapping[str, Any]) -> list[dict[str, Any]]:
    sources = list(props.get("sources") or [])
    quotes = list(props.get("quotes") or [])
    confidences = list(props.get("confidences") or [])
    return [{"source": s, "quote": quotes[i] if i < len(quotes) else None,
             "confidence": confidences[i] if i < len(confidences) else None} for i, s in enumerate(sources)]


def _plain(value: Any) -> Any:
    """A JSON-able value (the graph holds strings, numbers, booleans and lists of them)."""
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def _facts(props: Mapping[str, Any], skip: set[str]) -> dict[str, Any]:
    hidden = _INTERNAL | _CITATION | _date_keys() | skip
    return {k: _plain(v) for k, v in sorted(props.items()) if k not in hidden and v is not None}


def _clip(text: str, limit: int = 180) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _tooltip(head: list[str], props: Mapping[str, Any], sources: Mapping[str, Mapping[str, Any]]) -> str:
    """A plain-text summary for hovering (vis-network shows string titles as text, never HTML)."""
    lines = [line for line in head if line]
    for d in _dates(props):
        extra = ", ".join(str(d[k]) for k in ("precision",) if k in d)
        written = f', "{d["as_written"]}"' if "as_written" in d else ""
        lines.append(f"{d['key']}: {d['value']}" + (f" ({extra}{written})" if extra or written else ""))
    if props.get("confidence"):
        lines.append(f"confidence: {props['confidence']}")
    cites = _citations(props)
    for c in cites[:2]:
        title = (sources.get(c["source"]) or {}).get("title") or c["source"]
        lines.append(f"“{_clip(str(c['quote'] or ''))}” ({_clip(str(title), 70)})")
    if len(cites) > 2:
        lines.append(f"… and {len(cites) - 2} more sources")
    lines.append("Click for the facts and their sources.")
    return "\n".join(lines)


def vis_options(n_nodes: int, n_edges: int) -> dict[str, Any]:
    """vis-network options: a bounded stabilisation (then the page turns physics off), lighter
    drawing for big graphs, a fixed seed so the same graph gets the same layout."""
    big = n_nodes > 400 or n_edges > 1000
    iterations = 400 if n_nodes <= 300 else max(100, min(400, 150_000 // max(n_nodes, 1)))
    return {
        "autoResize": True,
        "layout": {"randomSeed": 7, "improvedLayout": n_nodes <= 300},
        "nodes": {
            "borderWidth": 1.5, "borderWidthSelected": 3,
            "font": {"size": 14, "face": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
                     "color": "#1b1f24", "strokeWidth": 3, "strokeColor": "#ffffff"},
            "widthConstraint": {"maximum": 190},
        },
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.45}},
            "color": {"color": "#a3acb9", "highlight": "#1b1f24", "hover": "#57606a", "inherit": False},
            "font": {"size": 10, "color": "#57606a", "strokeWidth": 3, "strokeColor": "#ffffff", "align": "middle"},
            "smooth": False,
            "width": 1, "selectionWidth": 2, "hoverWidth": 1.5,
        },
        "physics": {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -75, "centralGravity": 0.012, "springLength": 110,
                                 "springConstant": 0.06, "damping": 0.5, "avoidOverlap": 0.6},
            "stabilization": {"enabled": True, "iterations": iterations, "updateInterval": 20, "fit": True},
            "minVelocity": 1.0, "maxVelocity": 60, "timestep": 0.4,
        },
        "interaction": {
            "hover": True, "tooltipDelay": 150, "multiselect": False, "navigationButtons": False,
            "keyboard": {"enabled": True, "bindToWindow": False},
            "hideEdgesOnDrag": big, "hideEdgesOnZoom": big,
        },
    }


def node_args(node: Mapping[str, Any], sources: Mapping[str, Mapping[str, Any]], focus: bool = False
              ) -> dict[str, Any]:
    """What `network()` gives pyvis's `add_node` for a node (its caption, shape, size, colours and tooltip);
    `focus`: drawn as the centre of a neighbourhood."""
    props = node["props"]
    kind, style, label = caption(node)
    head = [str(props.get("name") or node["id"]), f"{kind} · {node['id']}"]
    if props.get("aliases"):
        head.append("also: " + _clip(", ".join(map(str, props["aliases"])), 120))
    mentioned = [m for m in node.get("mentioned_by") or [] if m not in (props.get("sources") or [])]
    if mentioned and not props.get("sources"):
        head.append(f"mentioned by {len(mentioned)} source{'s' if len(mentioned) != 1 else ''}")
    inside = style.shape in _LABEL_INSIDE  # facts: smaller type, so the actors stand out
    extra: dict[str, Any] = {"font": {"size": 11}, "widthConstraint": {"maximum": 150}} if inside else {}
    args = {"label": label, "shape": style.shape, "size": style.size, **extra,
            "color": {"background": style.color, "border": style.border,
                      "highlight": {"background": style.color, "border": "#1b1f24"},
                      "hover": {"background": style.color, "border": "#1b1f24"}},
            "title": _tooltip(head, props, sources)}
    return {**args, **centre_args(args)} if focus else args


def centre_args(args: Mapping[str, Any]) -> dict[str, Any]:
    """What changes in a node's `node_args` when it is the centre of a neighbourhood: larger, a
    thicker outline, a larger caption."""
    inside = args["shape"] in _LABEL_INSIDE
    return {"size": args["size"] * 1.4, "borderWidth": 4, "font": {"size": 13 if inside else 18}}


def edge_args(edge: Mapping[str, Any], names: Mapping[str, str], sources: Mapping[str, Mapping[str, Any]],
              curve: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What `network()` gives pyvis's `add_edge` for a relationship (its id, label and tooltip, and
    `curve`, its bend when two nodes have several)."""
    props = edge["props"]
    head = [f"{_clip(names.get(edge['from'], edge['from']), 60)} → {words(edge['type'])} → "
            f"{_clip(names.get(edge['to'], edge['to']), 60)}"]
    return {"id": edge["id"], "label": link_label(edge),
            "title": _tooltip(head, props, sources), **(curve or {})}


def curves(edges: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """The bends of relationships in view order (`subgraph`'s): links are straight, except where two
    nodes have several: those curve apart (opposite directions bend to opposite sides, same-direction
    ones by growing amounts). Keyed by relationship id; the straight ones are left out."""
    pairs: dict[frozenset[str], int] = {}
    for edge in edges:
        pair = frozenset((edge["from"], edge["to"]))
        pairs[pair] = pairs.get(pair, 0) + 1
    nth: dict[tuple[str, str], int] = {}
    out = {}
    for edge in edges:
        if pairs[frozenset((edge["from"], edge["to"]))] > 1 and edge["from"] != edge["to"]:
            k = nth[(edge["from"], edge["to"])] = nth.get((edge["from"], edge["to"]), -1) + 1
            out[edge["id"]] = {"smooth": {"enabled": True, "type": "curvedCW", "roundness": round(0.15 + 0.2 * k, 2)}}
    return out


def network(view: View) -> Any:
    """A `pyvis.network.Network` holding the view: nodes and edges as vis-network items, options set.
    (pyvis only builds the data here; `page()` renders it with kg's own template.)"""
    from pyvis.network import Network

    net = Network(directed=True, heading="", cdn_resources="remote")  # nothing is fetched: see page()
    names = {n["id"]: n["props"].get("name") or n["id"] for n in view.nodes}
    for node in view.nodes:
        net.add_node(node["id"], **node_args(node, view.sources, node["id"] == view.focus))
    bends = curves(view.edges)
    for edge in view.edges:
        net.add_edge(edge["from"], edge["to"], **edge_args(edge, names, view.sources, bends.get(edge["id"])))
    net.options = vis_options(len(view.nodes), len(view.edges))
    return net


def node_details(node: Mapping[str, Any]) -> dict[str, Any]:
    """What the side panel shows for a node."""
    props = node["props"]
    kind, _ = look([label for label in node["labels"] if label != "Entity"])
    return {"kind": kind, "name": props.get("name") or node["id"], "id": node["id"],
            "aliases": _plain(props.get("aliases") or []),
            "facts": _facts(props, {"name", "id", "aliases"}), "dates": _dates(props),
            "confidence": props.get("confidence"), "citations": _citations(props),
            "mentioned_by": node.get("mentioned_by") or []}


def edge_details(edge: Mapping[str, Any]) -> dict[str, Any]:
    """What the side panel shows for a relationship."""
    props = edge["props"]
    return {"type": edge["type"], "words": words(edge["type"]), "from": edge["from"], "to": edge["to"],
            "key": props.get("key"), "facts": _facts(props, {"key"}), "dates": _dates(props),
            "confidence": props.get("confidence"), "citations": _citations(props)}


def _details(view: View) -> dict[str, Any]:
    """What the side panel shows for each node and edge, keyed by its vis id."""
    return {"nodes": {node["id"]: node_details(node) for node in view.nodes},
            "edges": {edge["id"]: edge_details(edge) for edge in view.edges}}


def _fact_date(props: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """A fact's date and its precision: its `date`, else when it started (`start`)."""
    for key in ("date", "start"):
        if props.get(key):
            return str(props[key]), props.get(key + "_precision")
    return None, None


def is_fact_node(labels: list[str]) -> bool:
    return any(NODE_KINDS[label].is_fact for label in labels if label in NODE_KINDS)


def timeline(view: View) -> dict[str, Any]:
    """What the time slider needs, with kg/graph/when.py's rule applied here, so the page only compares
    text: each fact (fact nodes, and relationships that cite a source) with its date, precision,
    confidences, sources and the bounds of its date (`lo`, `hi`); the dates to stop at (every fact
    date, and the date asked), each with its `hi`. A fact is shown at a stop when `lo <= stop.hi`,
    certainly when `hi <= stop.hi`; undated facts stay shown, and marked. A link without a date of its
    own that joins a dated fact node takes that node's date (the later one's, if it joins two)."""
    fact_nodes = {n["id"]: n["props"] for n in view.nodes if is_fact_node(n["labels"])}
    items: list[tuple[str, dict[str, Any], list[Mapping[str, Any]]]]
    items = [(node_id, props, []) for node_id, props in fact_nodes.items()]
    items += [(e["id"], e["props"], [fact_nodes[end] for end in (e["from"], e["to"]) if end in fact_nodes])
              for e in view.edges if e["props"].get("sources")]
    facts = {item_id: fact_entry(props, ends) for item_id, props, ends in items}
    precisions = {f["date"]: f["precision"] for f in facts.values() if f["date"]}
    if view.as_of:
        precisions.setdefault(view.as_of, {4: "year", 7: "month"}.get(len(view.as_of), "day"))
    stops = sorted(precisions, key=lambda d: (when.hi(d), d))
    return {"facts": facts, "stops": [{"date": d, "precision": precisions[d], "hi": when.hi(d)} for d in stops],
            "asOf": view.as_of,
            "confidences": sorted({c for f in facts.values() for c in f["confidences"]},
                                  key=lambda c: ("high", "medium", "low").index(c) if c in ("high", "medium", "low")
                                  else 3),
            "sources": sorted({s for f in facts.values() for s in f["sources"]})}


def fact_entry(props: Mapping[str, Any], ends: list[Mapping[str, Any]]) -> dict[str, Any]:
    """A fact of the time slider: a fact node's or a relationship's date, precision, bounds,
    confidences and sources. `ends`: the properties of the fact nodes a relationship joins, whose
    date it takes (the later one's) when it has none of its own."""
    date, precision = _fact_date(props)
    if date is None:
        # a link of a dated fact (who MADE a statement, what it is ABOUT) holds from the fact's date
        dated = [(d, p) for d, p in map(_fact_date, ends) if d]
        if dated:
            date, precision = max(dated, key=lambda d: when.hi(d[0]))
    confidences = props.get("confidences") or ([props["confidence"]] if props.get("confidence") else [])
    return {"date": date, "precision": precision, "lo": when.lo(date) if date else None,
            "hi": when.hi(date) if date else None, "confidences": _plain(list(confidences)),
            "sources": _plain(list(props.get("sources") or []))}


def _legend(view: View) -> list[dict[str, Any]]:
    counts: dict[str, int] = {}
    for node in view.nodes:
        kind, _ = look([label for label in node["labels"] if label != "Entity"])
        counts[kind] = counts.get(kind, 0) + 1
    order = [k for k in PALETTE if k in counts] + sorted(k for k in counts if k not in PALETTE)
    out = []
    for kind in order:
        _, style = look([kind])
        out.append({"kind": kind, "count": counts[kind], "color": style.color, "border": style.border,
                    "shape": style.shape})
    return out


# --- the page ------------------------------------------------------------------------------------

def script_json(value: Any) -> str:
    """JSON that is safe inside a `<script>` element: `<`, `>` and `&` are written as \\u escapes,
    so no string in the data can close the element or open a comment."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") \
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


@cache
def _asset(*parts: str) -> str:  # pyvis's copy of vis-network
    return resources.files("pyvis").joinpath(*parts).read_text(encoding="utf-8")


def _inline(text: str, tag: str) -> str:
    """Library code to be inlined in a `<tag>` element; refused if it could end the element early."""
    if f"</{tag}" in text.lower() or "<!--" in text:
        raise KgError(f"cannot inline a {tag} that contains '</{tag}' or '<!--'")
    return text


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


_SLOT = re.compile(r"\{\{(\w+)\}\}")

#: the renderers a page can draw with: vis-network (pyvis's data) for small views, sigma.js (WebGL,
#: ForceAtlas2 in a web worker) for large ones; `auto` picks by size (`choose`)
RENDERERS = ("auto", "vis", "sigma")
#: the page's own script: the drawing of its renderer, then what both share (the panel, the find
#: box, the legend, the time slider and its filters), in one element of kg/resources/
_APP_FILES = {"vis": ("view-vis.js", "view.js"), "sigma": ("view-sigma.js", "view.js")}
_GENERATOR = {"vis": "kg viz (vis-network 9.1.2 via pyvis)",
              "sigma": "kg viz (sigma.js, graphology and ForceAtlas2 in a web worker)"}


@cache  # read once per process: kg site makes a page of it for every entity
def _resource(*parts: str) -> str:
    return resources.files("kg").joinpath("resources", *parts).read_text(encoding="utf-8")


def _template() -> str:
    return _resource("viz.html")


def app_script(renderer: str) -> str:
    """The page's own script for `renderer` ('vis' or 'sigma')."""
    return "".join(_resource(name) for name in _APP_FILES[renderer])


def choose(view: View, renderer: str = "auto") -> str:
    """The renderer that draws `view`: the one asked for, or with `auto` sigma.js above
    `sigma.ABOVE_NODES` nodes or `sigma.ABOVE_EDGES` links, vis-network below."""
    if renderer not in RENDERERS:
        raise KgError(f"no renderer {renderer!r}: choose one of {', '.join(RENDERERS)}")
    if renderer != "auto":
        return renderer
    n_nodes, n_edges = view.counts
    return "sigma" if n_nodes > sigma.ABOVE_NODES or n_edges > sigma.ABOVE_EDGES else "vis"


def _library(renderer: str) -> tuple[str, str]:
    """The library's script and style that a page of `renderer` inlines."""
    if renderer == "sigma":
        return _inline(sigma.bundle(), "script"), ""
    return (_inline(_asset(*_VIS, "vis-network.min.js"), "script"),
            _inline(_asset(*_VIS, "vis-network.css"), "style"))


def linked_assets() -> dict[str, str]:
    """What `pieces_page(HREF, ...)` loads from HREF: vis-network's script and style, the view's own
    script and the one that puts a neighbourhood together, by file name (kg site writes them once)."""
    return {"vis-network.min.js": _asset(*_VIS, "vis-network.min.js"),
            "vis-network.css": _asset(*_VIS, "vis-network.css"), "kg-view.js": app_script("vis"),
            "kg-site-graph.js": _resource("site-graph.js")}


def pieces_page(assets: str, pieces: str, sources: str) -> str:
    """The one neighbourhood page of `kg site` (`graph/#ID`): a page of `linked_assets()` at `assets`
    whose data its script puts together from the pieces of kg/views/shards.py, fetched from `pieces`
    (an href ending in `/`, holding ID/neighbourhood.json) and the details of every source (`sources`,
    a JSON file), then draws with the views' own script."""
    href, at, cited = (htmlmod.escape(x, quote=True) for x in (assets, pieces, sources))
    template = (_template().replace('<script id="kg-app">{{app_js}}</script>',
                                    f'<script id="kg-app" src="{href}kg-site-graph.js" data-view="{href}kg-view.js" '
                                    f'data-pieces="{at}" data-sources="{cited}"></script>')
                .replace('<script id="kg-lib">{{lib_js}}</script>',
                         f'<script id="kg-lib" src="{href}vis-network.min.js"></script>')
                .replace("<style>{{lib_css}}</style>", f'<link rel="stylesheet" href="{href}vis-network.css">')
                .replace("style-src 'unsafe-inline'", "style-src 'self' 'unsafe-inline'")
                .replace("default-src 'none';", "default-src 'none'; connect-src 'self';"))
    values = {"title": "A neighbourhood", "subtitle": "", "counts": "", "csp_scripts": "'self'", "csp_workers": "",
              "generator": _GENERATOR["vis"],
              # what the script starts from: vis-network's options for a small drawing (it sets those
              # that depend on the size as `vis_options` does), and the relationships not drawn
              "data": script_json({"options": vis_options(1, 0), "hidden": hidden_rels(False)})}
    return _SLOT.sub(lambda m: values[m.group(1)], template)


def view_data(view: View, title: str | None = None, renderer: str = "auto") -> dict[str, Any]:
    """What a view's page draws and explains: the JSON its script reads. The nodes, links and options
    are the renderer's (`choose`); the details, legend and time slider are the same for both."""
    drawn = choose(view, renderer)
    legend = _legend(view)
    if drawn == "sigma":
        nodes, edges = sigma.items(view)
        options: Any = sigma.options(len(view.nodes), len(view.edges))
        legend = [{**k, "shape": "dot"} for k in legend]  # sigma.js draws every node as a disc
    else:
        net = network(view)
        nodes, edges, _heading, _height, _width, options = net.get_network_data()
        options = json.loads(options) if isinstance(options, str) else options
    return {
        "renderer": drawn, "title": title or view.title, "subtitle": view.subtitle, "nodes": nodes, "edges": edges,
        "options": options, "details": _details(view), "sources": view.sources, "legend": legend,
        "provenance": view.provenance, "focus": view.focus, "hiddenRelationships": hidden_rels(view.provenance),
        "time": timeline(view),
    }


def page(view: View, *, title: str | None = None, renderer: str = "auto") -> str:
    """The HTML of a view: one self-contained file, drawn by `renderer` (auto, vis or sigma: `choose`)."""
    data = view_data(view, title, renderer)
    drawn, heading, n_nodes, n_edges = data["renderer"], data["title"], len(data["nodes"]), len(data["edges"])
    lib_js, lib_css = _library(drawn)
    app_js = _inline(app_script(drawn), "script")
    values = {
        "title": htmlmod.escape(heading),
        "subtitle": htmlmod.escape(view.subtitle),
        "counts": htmlmod.escape(f"{n_nodes} node{'s' if n_nodes != 1 else ''}, "
                                 f"{n_edges} link{'s' if n_edges != 1 else ''}"),
        "generator": _GENERATOR[drawn],
        "data": script_json(data), "lib_css": lib_css, "lib_js": lib_js, "app_js": app_js,
        "csp_scripts": f"{_sha256(lib_js)} {_sha256(app_js)}",
        # ForceAtlas2 runs in a worker made from a blob: URL of the library's own code; nothing else
        "csp_workers": "worker-src blob:; " if drawn == "sigma" else "",
    }
    # one pass, so nothing inserted is read again as a slot
    return _SLOT.sub(lambda m: values[m.group(1)], _template())


def render(db: Database, *, query: str | None = None, params: Mapping[str, Any] | None = None,
           focus: str | None = None, depth: int = 1, provenance: bool = False, title: str | None = None,
           as_of: str | None = None, renderer: str = "auto") -> str:
    """The HTML page of a view (see `build()` for the arguments, `choose()` for `renderer`)."""
    return page(build(db, query=query, params=params, focus=focus, depth=depth, provenance=provenance,
                      title=title, as_of=as_of), renderer=renderer)


def write(view: View, out: Path, renderer: str = "auto") -> Path:
    """Write a view's page to `out` (folders created); returns the path."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page(view, renderer=renderer), encoding="utf-8")
    return out


def notebook(page_html: str, height: int = 720) -> Any:
    """Show a page in Jupyter: an `IPython.display.HTML` holding it in a sandboxed iframe, so its
    scripts and styles stay apart from the notebook's."""
    try:
        from IPython.display import HTML
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise KgError("showing a view in a notebook needs IPython (pip install ipython)") from e
    frame = (f'<div><iframe srcdoc="{htmlmod.escape(page_html, quote=True)}" sandbox="allow-scripts" '
             f'style="width:100%;height:{int(height)}px;border:1px solid #d0d7de"></iframe></div>')
    return HTML(frame)  # type: ignore[no-untyped-call]
