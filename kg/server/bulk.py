"""`kg load --bulk`: a validated seed into the empty database of the local server, through
`neo4j-admin database import full` of kg's CSV export (kg/export/csv.py) made from the seed without a
database (kg/seed/records.py); then kg's constraints and indexes."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kg.config import Settings, read_state, state_dir
from kg.errors import UsageError
from kg.export.csv import write_csv
from kg.graph.db import Database
from kg.seed.loader import ensure_schema, remember
from kg.seed.records import seed_records
from kg.seed.validated import Seed
from kg.server.admin import DATABASE, import_csv, node_count, stopped
from kg.server.checkout import checkout_server
from kg.server.local import LocalServer


@dataclass
class BulkReport:
    files: int = 0
    sources: int = 0
    nodes: int = 0
    relationships: int = 0
    rows: int = 0  # CSV rows written: every node and relationship, provenance included
    #: seconds per step: csv (writing the files), import (neo4j-admin), restart (stop and start), schema
    seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        steps = ", ".join(f"{name} {secs:.1f}s" for name, secs in self.seconds.items())
        return (f"bulk-loaded {self.files} files: {self.sources} sources, {self.nodes} nodes, {self.relationships} "
                f"relationships ({self.rows} nodes and relationships with provenance) in "
                f"{sum(self.seconds.values()):.1f}s ({steps})")


def bulk_target(settings: Settings) -> LocalServer:
    """The local server `kg db up` started here, when `settings` reach it and it runs; a usage error
    (nothing touched) for Docker, any other server, or a stopped one."""
    state = read_state(state_dir())
    if state.get("backend") == "docker":
        raise UsageError("kg load --bulk loads only the local server `kg db up --backend local` starts; with "
                         "Docker, load without --bulk")
    server = checkout_server(settings.uri)
    if server is None:
        raise UsageError(f"kg load --bulk loads only the local server `kg db up` started here, and "
                         f"{settings.uri} is not it; load without --bulk")
    if settings.database != DATABASE:
        raise UsageError(f"kg load --bulk loads database {DATABASE} only, not {settings.database!r}")
    if server.pid() is None:
        raise UsageError("the local server is not running: start it with `kg db up` first")
    return server


def bulk_load(server: LocalServer, settings: Settings, seed: Seed, log: Callable[[str], None] = lambda _: None,
              work_dir: Path | None = None, full: bool = False) -> BulkReport:
    """Load the validated `seed` into the empty database of the local `server` (running, reached by
    `settings`) with `neo4j-admin database import full`: write its graph (kg/seed/records.py) as kg's
    CSV export, stop the server, import, start it again, then make kg's constraints and indexes.
    Refuses a database that holds any node. The graph equals what `kg load` writes; with `full` (the
    whole seed) it is remembered as `kg load` remembers one, so loading the same seed again writes nothing."""
    username, password = settings.username, settings.password or ""
    report = BulkReport(len(seed.files), len(seed.sources), len(seed.nodes), len(seed.rels))
    count = node_count(server, username, password)
    if count:
        raise UsageError(f"database {DATABASE} holds {count} nodes; kg load --bulk loads only an empty database "
                         "(load without --bulk)")
    folder = Path(tempfile.mkdtemp(prefix=".bulk.", dir=work_dir or server.home.parent))
    try:
        started = time.perf_counter()
        multiline: set[str] = set()
        counts = write_csv(lambda: seed_records(seed), folder, multiline)
        report.rows = sum(counts.values())
        report.seconds["csv"] = time.perf_counter() - started
        log(f"wrote {report.rows} rows in {len(counts)} CSV files for neo4j-admin")
        timer = {"import": 0.0}

        def work() -> str:
            began = time.perf_counter()
            said = import_csv(server.home, folder, multiline=multiline)
            timer["import"] = time.perf_counter() - began
            return said

        began = time.perf_counter()
        said = stopped(server, username, password, log, work)
        report.seconds["import"] = timer["import"]
        report.seconds["restart"] = time.perf_counter() - began - timer["import"]
        log(f"neo4j-admin: {said}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    began = time.perf_counter()
    with Database(settings) as db, db.errors():
        ensure_schema(db)
        if full:
            remember(db, seed)
    report.seconds["schema"] = time.perf_counter() - began
    return report
