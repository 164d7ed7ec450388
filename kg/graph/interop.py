"""Interop with py2neo, for users with py2neo code (`pip install 'kg[py2neo]'`).

py2neo is end-of-life upstream (its README says so since 2023) and its HTTP mode no longer
matches Neo4j 5's HTTP API ("Not Found"), but its Bolt client speaks Bolt 4.4, which Neo4j 5.26
still accepts, so it works over bolt:// against kg's server. kg itself uses the official driver.
"""

from __future__ import annotations

from typing import Any

from kg.config import Settings
from kg.errors import ConfigError


def py2neo_graph(settings: Settings | None = None) -> Any:
    """A `py2neo.Graph` connected with kg's configuration (NEO4J_*, `.env`, or `kg db up`).

    >>> graph = py2neo_graph()                                   # doctest: +SKIP
    >>> graph.run("MATCH (a:PoliceAgency {id: 'eps'}) RETURN a.name").evaluate()
    'Edmonton Police Service'
    """
    try:
        from py2neo import Graph
    except ImportError as e:
        raise ConfigError("py2neo is not installed: pip install 'kg[py2neo]'") from e
    s = settings or Settings.resolve()
    scheme, _, rest = s.uri.partition("://")
    if scheme.startswith("neo4j"):  # py2neo routes with its own flag rather than the scheme
        return Graph(f"{scheme.replace('neo4j', 'bolt')}://{rest}", auth=(s.username, s.password or ""),
                     name=s.database, routing=True)
    return Graph(s.uri, auth=(s.username, s.password or ""), name=s.database)
