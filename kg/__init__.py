"""kg: a cited Neo4j knowledge graph of police adoption of facial recognition.

>>> import kg                                   # doctest: +SKIP
>>> db = kg.connect()                           # NEO4J_* environment, .env, or `kg db up`
>>> kg.run_query(db, "denied-then-admitted")    # rows as dicts
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from kg.db import Database


def connect(uri: str | None = None, username: str | None = None, password: str | None = None,
            database: str | None = None) -> Database:
    """A Database from kg's configuration; arguments override NEO4J_* and `.env`."""
    from kg.db import Database

    return Database.connect(uri=uri, username=username, password=password, database=database)


def __getattr__(name: str) -> Any:
    # The public API, imported on first use so that `import kg` (and `kg --help`) stay light.
    lazy = {
        "Database": ("kg.db", "Database"),
        "Settings": ("kg.config", "Settings"),
        "KgError": ("kg.errors", "KgError"),
    }
    if name in lazy:
        import importlib

        module, attr = lazy[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
