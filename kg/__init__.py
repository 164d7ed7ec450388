"""kg: a cited Neo4j knowledge graph of police adoption of facial recognition.

>>> import kg                                   # doctest: +SKIP
>>> db = kg.connect()                           # NEO4J_* environment, .env, or `kg db up`
>>> kg.run_query(db, "denied-then-admitted")    # rows as dicts
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kg.versions import KG_VERSION

__version__ = KG_VERSION

if TYPE_CHECKING:
    from kg.graph.db import Database


def connect(uri: str | None = None, username: str | None = None, password: str | None = None,
            database: str | None = None) -> Database:
    """A Database from kg's configuration; arguments override NEO4J_* and `.env`."""
    from kg.graph.db import Database

    return Database.connect(uri=uri, username=username, password=password, database=database)


def list_queries() -> list[str]:
    """The names of the named questions in cypher/."""
    from kg.questions.catalogue import catalogue

    return list(catalogue())


def run_query(db: Database, name: str, **params: Any) -> list[dict[str, Any]]:
    """Answer a named question; rows as dicts. Entity parameters take an id, a name or an alias.

    >>> kg.run_query(db, "stop-orders", agency="Toronto police")[-1]["ordered_by"]   # doctest: +SKIP
    'Mark Saunders'
    """
    from kg.questions.run import run

    return run(db, name, params).rows


def search(db: Database, text: str, limit: int = 20) -> list[dict[str, Any]]:
    """Full-text search over names, aliases and quotes, best first."""
    from kg.questions.search import search as fulltext

    return fulltext(db, text, limit)


def visualize(db: Database, *, query: str | None = None, params: dict[str, Any] | None = None,
              focus: str | None = None, depth: int = 1, provenance: bool = False, title: str | None = None) -> str:
    """One self-contained HTML page of the graph (see kg/views/page.py): the whole graph, what a named
    question returns (`query`, `params`), or an entity's neighbourhood (`focus`, `depth`).
    `kg.views.page.notebook(html)` shows it in Jupyter."""
    from kg.views.page import render

    return render(db, query=query, params=params, focus=focus, depth=depth, provenance=provenance, title=title)


def load(db: Database, *paths: str, texts: str | None = None) -> str:
    """Validate and load seed files, as `kg load` does; returns the summary line.

    No paths, or the project's seed/ folder: the whole seed (what no file declares any more is
    removed). Some files: ids they name may be in the database already. `texts`: the article texts,
    to check every quote. The same entry point as `kg load` (kg/loading.py)."""
    from pathlib import Path

    from kg.loading import load as load_seed
    from kg.seed.texts import texts_dir

    return load_seed([Path(p) for p in paths], db, texts=texts_dir(Path(texts) if texts else None)).summary()


def __getattr__(name: str) -> Any:
    # The public API, imported on first use so that `import kg` (and `kg --help`) stay light.
    lazy = {
        "Database": ("kg.graph.db", "Database"),
        "Settings": ("kg.config", "Settings"),
        "KgError": ("kg.errors", "KgError"),
    }
    if name in lazy:
        import importlib

        module, attr = lazy[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
