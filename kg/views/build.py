"""Interactive HTML views of the graph, in one self-contained file (`kg viz`).

Three views:

- `whole_graph(db)`: every entity and every relationship between them;
- `query_view(db, name, args)`: the subgraph a named question returns: the nodes in the id
  columns its header declares (an entity or source id, or a fact: a fact node's id or the key of
  a relationship, which brings both its ends) and the relationships among them;
- `focus_view(db, entity, depth)`: the entities within `depth` links of one entity (an id, a name
  or an alias), and the relationships among them.

Provenance (`Source` nodes and their MENTIONS, REPORTS, PUBLISHED_BY and AUTHORED_BY links) is
left out unless asked for: each fact already lists its sources and quotes in the page.

The page is drawn by kg/views/page.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import UsageError
from kg.graph.db import Database
from kg.graph.schema import PROVENANCE_RELS, SOURCE_LABEL
from kg.questions.catalogue import Query, get
from kg.questions.entities import resolve_entity
from kg.questions.params import bind
from kg.questions.run import run
from kg.seed.model import check_iso

#: Relationships that say where facts come from rather than what happened.
MAX_DEPTH = 4

_NODE_FIELDS = (
    "n.id AS id, labels(n) AS labels, properties(n) AS props, "
    "COLLECT { MATCH (s:Source)-[:MENTIONS]->(n) RETURN s.id ORDER BY s.id } AS mentioned_by"
)


@dataclass
class View:
    """The nodes and relationships of one view, with what the page needs to explain them."""

    title: str
    subtitle: str
    nodes: list[dict[str, Any]]   # {id, labels, props, mentioned_by}
    edges: list[dict[str, Any]]   # {id, type, from, to, props}
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    provenance: bool = False
    focus: str | None = None
    as_of: str | None = None  # the date the page opens at (kg viz --as-of); None: everything

    @property
    def counts(self) -> tuple[int, int]:
        return len(self.nodes), len(self.edges)


# --- reading the graph ---------------------------------------------------------------------------

def hidden_rels(provenance: bool) -> list[str]:
    return [] if provenance else list(PROVENANCE_RELS)


def subgraph(db: Database, ids: Iterable[str], *, provenance: bool = False) -> tuple[list[dict[str, Any]],
                                                                                       list[dict[str, Any]]]:
    """The nodes with these ids (less `Source` nodes unless `provenance`), and every relationship
    among them (less the provenance ones unless `provenance`)."""
    wanted = sorted(set(ids))
    nodes = db.read(
        f"MATCH (n:Entity) WHERE n.id IN $ids AND ($provenance OR NOT n:{SOURCE_LABEL}) "
        f"RETURN {_NODE_FIELDS} ORDER BY n.id",
        {"ids": wanted, "provenance": provenance},
    )
    kept = [n["id"] for n in nodes]
    edges = db.read(
        "MATCH (a:Entity)-[r]->(b:Entity) WHERE a.id IN $ids AND b.id IN $ids AND NOT type(r) IN $hidden "
        "RETURN elementId(r) AS id, type(r) AS type, a.id AS from, b.id AS to, properties(r) AS props "
        "ORDER BY type, from, to, coalesce(r.key, ''), id",
        {"ids": kept, "hidden": hidden_rels(provenance)},
    )
    return nodes, edges


def _cited(nodes: Iterable[dict[str, Any]], edges: Iterable[dict[str, Any]]) -> set[str]:
    """The ids of the sources these nodes and relationships cite (or are)."""
    cited: set[str] = set()
    for item in (*nodes, *edges):
        cited.update(str(s) for s in item["props"].get("sources") or [])
        cited.update(item.get("mentioned_by") or [])
        if SOURCE_LABEL in item.get("labels", []):
            cited.add(item["id"])
    return cited


def _sources(db: Database, nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """What the page says about each source the view cites: title, publisher, date, authors."""
    return source_details(db, _cited(nodes, edges))


def source_details(db: Database, cited: set[str]) -> dict[str, dict[str, Any]]:
    if not cited:
        return {}
    rows = db.read(
        f"MATCH (s:{SOURCE_LABEL}) WHERE s.id IN $ids "
        "RETURN s.id AS id, s.title AS title, s.headline AS headline, s.url AS url, s.published AS published, "
        "s.published_precision AS published_precision, s.published_as_written AS published_as_written, "
        "COLLECT { MATCH (s)-[:PUBLISHED_BY]->(p) RETURN p.name } AS publisher, "
        "COLLECT { MATCH (s)-[:AUTHORED_BY]->(a) RETURN a.name ORDER BY a.name } AS authors",
        {"ids": sorted(cited)},
    )
    return {r["id"]: {k: v for k, v in r.items() if v not in (None, [])} for r in rows}


def _view(db: Database, title: str, subtitle: str, ids: Iterable[str], provenance: bool,
          focus: str | None = None) -> View:
    nodes, edges = subgraph(db, ids, provenance=provenance)
    return View(title, subtitle, nodes, edges, _sources(db, nodes, edges), provenance, focus)


def whole_graph(db: Database, *, provenance: bool = False, title: str | None = None) -> View:
    """Every entity and every relationship between them."""
    ids = [r["id"] for r in db.read("MATCH (n:Entity) RETURN n.id AS id")]
    return _view(db, title or "The whole graph", "every entity and every link between them", ids, provenance)


def ids_declared_in(db: Database, query: Query, rows: list[dict[str, Any]]) -> list[str]:
    """The ids of the nodes that rows hold in the columns the question declares (its `columns`
    header): entity and source ids as they are, and for a `fact` column the fact node with that id
    or both ends of the relationship with that key. No other cell is read, whatever it looks like.
    One parameterised query (for the facts)."""
    ids = set(query.ids(rows, "entity", "entities", "source", "sources"))
    facts = query.ids(rows, "fact")
    if facts:
        found = db.read(
            "MATCH (n:Entity) WHERE n.id IN $facts RETURN n.id AS id "
            "UNION "
            "MATCH (a:Entity)-[r]->(b:Entity) WHERE r.key IN $facts UNWIND [a.id, b.id] AS id RETURN id",
            {"facts": facts},
        )
        ids.update(r["id"] for r in found)
    return sorted(ids)


def query_view(db: Database, name: str, args: Mapping[str, Any] | None = None, *, provenance: bool = False,
               folder: Path | None = None, title: str | None = None) -> View:
    """The subgraph a named question returns: the nodes in the id columns its header declares
    (`ids_declared_in`) and those its entity parameters name, and the relationships among them."""
    query = get(name, folder)
    results = run(db, query, args or {})
    # the entities the question is asked about belong to its answer too
    asked = [resolve_entity(db, str(value)) for key, value in bind(query, dict(args or {})).items()
             if query.params[key].type == "entity" and value is not None]
    shown = ", ".join(f"{k}={v}" for k, v in sorted((args or {}).items()))
    rows = f"{len(results.rows)} row{'s' if len(results.rows) != 1 else ''}"
    if results.truncated:  # the question's limit cut the answer
        rows = f"the first {rows}; more exist: give -p limit=..."
    subtitle = f"{query.name}{f' ({shown})' if shown else ''}: {query.description} ({rows})"
    return _view(db, title or query.title, subtitle, [*asked, *ids_declared_in(db, query, results.rows)], provenance)


def neighbourhood(db: Database, start: str, depth: int, *, provenance: bool = False) -> list[str]:
    """The ids within `depth` links of `start` (either direction), one query per hop."""
    seen, frontier = {start}, [start]
    for _ in range(depth):
        if not frontier:
            break
        rows = db.read(
            "MATCH (a:Entity)-[r]-(b:Entity) WHERE a.id IN $frontier AND NOT type(r) IN $hidden "
            f"AND ($provenance OR NOT b:{SOURCE_LABEL}) RETURN DISTINCT b.id AS id",
            {"frontier": frontier, "hidden": hidden_rels(provenance), "provenance": provenance},
        )
        frontier = sorted({r["id"] for r in rows} - seen)
        seen.update(frontier)
    return sorted(seen)


def focus_view(db: Database, entity: str, depth: int = 1, *, provenance: bool = False,
               title: str | None = None) -> View:
    """An entity's neighbourhood: everything within `depth` links, and the relationships among them."""
    if not 1 <= depth <= MAX_DEPTH:
        raise UsageError(f"--depth must be between 1 and {MAX_DEPTH}, not {depth}")
    centre = resolve_entity(db, entity)
    row = db.read("MATCH (n:Entity {id: $id}) RETURN n.name AS name, n:Source AS source", {"id": centre})[0]
    provenance = provenance or bool(row["source"])  # a source's neighbourhood is its provenance
    ids = neighbourhood(db, centre, depth, provenance=provenance)
    links = "link" if depth == 1 else "links"
    return _view(db, title or f"Around {row['name'] or centre}", f"everything within {depth} {links} of "
                 f"{row['name'] or centre} ({centre})", ids, provenance, focus=centre)


def check_as_of(text: str) -> str:
    """A date of any precision, as kg stores dates; UsageError otherwise."""
    try:
        return check_iso(text)
    except ValueError:
        raise UsageError(f"--as-of expects a date such as 2019, 2019-11 or 2019-11-15, not {text!r}") from None


def build(db: Database, *, query: str | None = None, params: Mapping[str, Any] | None = None,
          focus: str | None = None, depth: int = 1, provenance: bool = False, title: str | None = None,
          as_of: str | None = None) -> View:
    """One of the three views, chosen by the arguments (as `kg viz` takes them); `as_of` (a date of
    any precision) is where the page's time slider starts."""
    if query and focus:
        raise UsageError("choose one view: --query or --focus, not both")
    if params and not query:
        raise UsageError("parameters (-p) go with --query")
    if as_of is not None:
        as_of = check_as_of(as_of)
    if query:
        view = query_view(db, query, params, provenance=provenance, title=title)
    elif focus:
        view = focus_view(db, focus, depth, provenance=provenance, title=title)
    else:
        view = whole_graph(db, provenance=provenance, title=title)
    view.as_of = as_of
    return view
