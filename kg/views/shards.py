"""Neighbourhoods in pieces, for the static site (`kg site`): one small JSON file per entity, which
the site's one neighbourhood page (`graph/#ID`) puts together in the browser into the same data a
drawn neighbourhood gets from `kg viz --focus ID` and `kg serve`'s `/entity/ID/graph`.

Drawing every entity's neighbourhood on the server costs each node once per neighbourhood it is
in: at 100k entities that was 2.6 times all the rest of the site (576 s against 159 s). A piece is made once per
entity, from the rows its entity page is made from: the entity as a node of the drawing (its
vis-network item, tooltip, panel, legend entry and time-slider fact), its neighbours' ids, and
every relationship that starts at it (drawn only where both ends are shown: a neighbourhood that
shows a relationship fetches the pieces of both its ends, so one holds it).
`kg/resources/site-graph.js` fetches the centre's piece and its neighbours' (and once, the details
of every source), and keeps what `kg viz --focus ID` would: the centre, its neighbours, and every
relationship among them, in the same order; the tests compare the two for every entity of the seed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kg.graph.palette import PALETTE, look
from kg.views.page import (
    centre_args,
    curves,
    edge_args,
    edge_details,
    fact_entry,
    is_fact_node,
    node_args,
    node_details,
)

#: a kind's place in the legend: the palette's order, then the others by name
RANK = {kind: i for i, kind in enumerate(PALETTE)}


def view_order(edge: Mapping[str, Any]) -> tuple[str, str, str, str, str]:
    """Where a relationship comes in a view (`kg.views.build.subgraph`'s ORDER BY)."""
    return edge["type"], edge["from"], edge["to"], str(edge["props"].get("key") or ""), edge["id"]


def _cites(item: Mapping[str, Any]) -> list[str]:
    return sorted({str(s) for s in item["props"].get("sources") or []} | set(item.get("mentioned_by") or []))


def shard(node: Mapping[str, Any], edges: Sequence[Mapping[str, Any]], others: Mapping[str, Mapping[str, Any]],
          sources: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The piece of one entity. `node`: {id, labels, props, mentioned_by}; `edges`: the relationships
    it takes part in that a neighbourhood draws, as `subgraph` gives them ({id, type, from, to,
    props}); `others`: the nodes at their other ends, {id: {labels, props}} (their name, and their
    dates when they are facts); `sources`: the details of every source, by id (for the tooltips' titles:
    the page reads them from one file of all the sources)."""
    node_id = node["id"]
    kind, style = look([label for label in node["labels"] if label != "Entity"])
    args = node_args(node, sources)
    names = {node_id: node["props"].get("name") or node_id}
    names.update({i: o["props"].get("name") or i for i, o in others.items()})
    fact_props = {i: o["props"] for i, o in others.items() if is_fact_node(o["labels"])}
    if is_fact_node(list(node["labels"])):
        fact_props[node_id] = node["props"]
    ordered = sorted({e["id"]: e for e in edges}.values(), key=view_order)  # a loop comes twice
    bends = curves(ordered)
    pieces = []
    for e in ordered:
        if e["from"] != node_id:
            continue  # it is in the piece of its start, which a neighbourhood showing it fetches too
        pieces.append({  # its id is the item's; its type, ends and key are in its details
            "item": {**edge_args(e, names, sources, bends.get(e["id"])), "from": e["from"], "to": e["to"],
                     "arrows": "to"},  # as pyvis's Edge makes it for a directed network
            "details": edge_details(e),
            "fact": fact_entry(e["props"], [fact_props[end] for end in (e["from"], e["to"]) if end in fact_props])
            if e["props"].get("sources") else None,
            "cites": _cites(e),
        })
    return {
        "id": node_id, "name": names[node_id],
        "node": {**args, "id": node_id},  # as pyvis's Node makes it
        "centre": centre_args(args),
        "details": node_details(node),
        "legend": {"kind": kind, "color": style.color, "border": style.border, "shape": style.shape,
                   "rank": RANK.get(kind, len(RANK))},
        "fact": fact_entry(node["props"], []) if node_id in fact_props else None,
        "cites": _cites(node),
        "near": sorted({e["to"] if e["from"] == node_id else e["from"] for e in ordered} - {node_id}),
        "edges": pieces,
    }
