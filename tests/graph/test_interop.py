"""py2neo, as an optional extra: a Graph built from kg's configuration reads the seed graph."""

from __future__ import annotations

import pytest

from kg.graph.db import Database
from kg.graph.interop import py2neo_graph
from tests.conftest import ServerHandle

py2neo = pytest.importorskip("py2neo", reason="the py2neo extra is not installed")


@pytest.mark.db
def test_py2neo_graph_from_kg_configuration(seeded: Database, server: ServerHandle) -> None:
    graph = py2neo_graph(server.settings)
    assert graph.run("MATCH (a:PoliceAgency {id: 'eps'}) RETURN a.name").evaluate() == "Edmonton Police Service"
    rows = graph.run("MATCH (p:Person)-[:ORDERED_STOP]->(:PoliceAgency {id: 'toronto-police'}) "
                     "RETURN p.name AS who").data()
    assert rows == [{"who": "Mark Saunders"}]


@pytest.mark.db
def test_py2neo_bulk_merge_and_routing_uri(db: Database, server: ServerHandle) -> None:
    from py2neo.bulk import merge_nodes

    routed = server.settings.__class__(uri=server.settings.uri.replace("bolt://", "neo4j://"),
                                       username=server.settings.username, password=server.settings.password)
    graph = py2neo_graph(routed)
    merge_nodes(graph.auto(), [{"id": "p2n-1", "name": "one"}, {"id": "p2n-1", "name": "one"}], ("Entity", "id"))
    assert db.read("MATCH (n:Entity {id: 'p2n-1'}) RETURN count(n) AS n") == [{"n": 1}]
