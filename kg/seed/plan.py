"""What a load would change, without changing anything (`kg load --dry-run`).

The preview runs the loader's own statements inside one transaction, reads the graph before and
after, and rolls the transaction back: what it shows is what `kg load` does, by construction.
Changes are grouped by the source that reports them (actors without a citation by the registry
file that declares them).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from kg.graph.db import Database
from kg.graph.records import changed_properties
from kg.graph.schema import BASE_LABEL, REL_KINDS
from kg.seed.loader import DEFAULT_BATCH, LoadReport, Tx, Writer, write_seed
from kg.seed.validated import Seed

NO_REGISTRY = "(in no seed file any more)"


@dataclass(frozen=True)
class Change:
    source: str          # the source that reports it, or the registry file of an actor
    change: str          # created, changed or removed
    label: str           # node label or relationship type
    id: str              # node id or relationship key
    name: str | None
    properties: list[str] = field(default_factory=list)  # for `changed`: which ones


@dataclass
class Plan:
    changes: list[Change]
    #: provenance links (REPORTS, MENTIONS, PUBLISHED_BY, AUTHORED_BY) created and removed, per source
    provenance: dict[str, dict[str, int]]

    def rows(self) -> list[dict[str, Any]]:
        return [asdict(c) for c in self.changes]

    def summary(self) -> str:
        counts = Counter(c.change for c in self.changes)
        links = sum(n for per in self.provenance.values() for n in per.values())
        if not self.changes and not links:
            return "dry run: the load would change nothing"
        return (f"dry run: the load would create {counts['created']}, change {counts['changed']} and remove "
                f"{counts['removed']} nodes and relationships ({links} provenance links created or removed); "
                "nothing was written")


Link = tuple[str, str, str]  # type, start id, end id
Snapshot = tuple[dict[str, dict[str, Any]], dict[tuple[str, str], dict[str, Any]], Counter[Link]]


def _snapshot(tx: Tx) -> Snapshot:
    nodes = {r["id"]: {"label": r["label"], "props": r["props"]} for r in tx.run(
        f"MATCH (n:{BASE_LABEL}) RETURN n.id AS id, [l IN labels(n) WHERE l <> '{BASE_LABEL}'][0] AS label, "
        "properties(n) AS props")}
    rels = {(r["type"], r["props"]["key"]): {"start": r["start"], "end": r["end"], "props": r["props"]}
            for r in tx.run("MATCH (a)-[r]->(b) WHERE type(r) IN $types RETURN type(r) AS type, a.id AS start, "
                            "b.id AS end, properties(r) AS props", types=sorted(REL_KINDS))}
    links: Counter[Link] = Counter(
        (r["type"], r["start"], r["end"]) for r in tx.run(
            f"MATCH (a:{BASE_LABEL})-[r]->(b:{BASE_LABEL}) WHERE NOT type(r) IN $types "
            "RETURN type(r) AS type, a.id AS start, b.id AS end", types=sorted(REL_KINDS)))
    return nodes, rels, links


def preview(db: Database, seed: Seed, full: bool = False) -> Plan:
    """What `load(db, seed, full=full)` would change; the database is left as it was."""
    loaded = sorted(seed.sources)
    with db.errors(), db.driver.session(database=db.settings.database) as session:
        tx = session.begin_transaction()
        try:
            before = _snapshot(tx)
            report = LoadReport()
            write_seed(Writer(db, report, DEFAULT_BATCH, loaded, lambda _w, _n: None, tx), seed, report, full)
            after = _snapshot(tx)
        finally:
            tx.rollback()
    return _diff(seed, before, after)


def _owners(seed: Seed, node_id: str | None, sources: list[str], loaded: set[str]) -> list[str]:
    """Who a change is shown under: the loaded sources that cite it (else any source that does),
    a Source itself, or the registry file of an actor."""
    cited = [s for s in sources if s in loaded] or sources
    if cited:
        return cited
    if node_id in seed.sources:
        return [node_id]
    if node_id in seed.nodes:
        return [seed.nodes[node_id].where.file]
    return [NO_REGISTRY]


def _diff(seed: Seed, before: Snapshot, after: Snapshot) -> Plan:
    loaded = set(seed.sources)
    changes: list[Change] = []

    def add(node_id: str | None, label: str, key: str, old: dict[str, Any] | None, new: dict[str, Any] | None) -> None:
        props = new if new is not None else old
        assert props is not None
        names: list[str] = []
        if old is None:
            what = "created"
        elif new is None:
            what = "removed"
        else:
            names = changed_properties(old, new)
            if not names:
                return
            what = "changed"
        sources = sorted({*((old or {}).get("sources") or []), *((new or {}).get("sources") or [])})
        for owner in _owners(seed, node_id, sources, loaded):
            changes.append(Change(owner, what, label, key, props.get("name"), names))

    (nodes0, rels0, links0), (nodes1, rels1, links1) = before, after
    for node_id in sorted({*nodes0, *nodes1}):
        old, new = nodes0.get(node_id), nodes1.get(node_id)
        add(node_id, (new or old or {}).get("label") or "", node_id,
            old["props"] if old else None, new["props"] if new else None)
    for rel_type, key in sorted({*rels0, *rels1}):
        old, new = rels0.get((rel_type, key)), rels1.get((rel_type, key))
        add(None, rel_type, key, old["props"] if old else None, new["props"] if new else None)
    provenance: dict[str, dict[str, int]] = {}
    for sign, diff in (("created", links1 - links0), ("removed", links0 - links1)):
        for (_type, start, _end), n in diff.items():
            provenance.setdefault(start, {}).setdefault(sign, 0)
            provenance[start][sign] += n
    changes.sort(key=lambda c: (c.source, ("created", "changed", "removed").index(c.change), c.label, c.id))
    return Plan(changes, provenance)
