"""neo4j-admin, run from the same jars as the local server: `database import full` (of kg's CSV
export), `database dump` and `database load` (kg db dump / restore).

Community edition cannot dump or load a database that a running server has open, so dump and
restore stop the local server, run the command, and start it again (also when the command fails).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kg import versions
from kg.config import Settings, read_password_file, read_state, state_dir
from kg.errors import KgError, ServerError, UsageError
from kg.server import LocalServer, java_command, resolve_jars
from kg.server import checkout_server as local_server

if TYPE_CHECKING:
    from kg.seed.validate import Seed

ADMIN_TOOL = "org.neo4j.cli.AdminTool"
DATABASE = "neo4j"


def run_admin(home: Path, *args: str, timeout: float = 3600) -> subprocess.CompletedProcess[str]:
    """Run `neo4j-admin ARGS` for the server whose home is `home`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    env.update(NEO4J_HOME=str(home), NEO4J_CONF=str(home / "conf"))
    cmd = [java_command(), "-Xmx1g", "-Dfile.encoding=UTF-8", "-cp", f"{resolve_jars()}/*", ADMIN_TOOL, *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=home, timeout=timeout, check=False)


def _why(proc: subprocess.CompletedProcess[str]) -> str:
    lines = [ln.strip() for ln in (proc.stderr + "\n" + proc.stdout).splitlines() if ln.strip()]
    useful = [ln for ln in lines if not ln.startswith(("at ", "...", "Caused by"))]
    return " | ".join(useful[:2]) or f"exit code {proc.returncode}"


#: neo4j-admin import's default `--read-buffer-size`: a field must fit in it
READ_BUFFER = 4 * 1024 * 1024


def _longest_line(files: Iterable[Path]) -> int:
    """The longest line of the files, in bytes (files smaller than the read buffer are skipped:
    any line of theirs fits)."""
    longest = 0
    for path in files:
        if path.stat().st_size <= max(longest, READ_BUFFER):
            continue
        with path.open("rb") as handle:
            longest = max(longest, max(map(len, handle), default=0))
    return longest


def import_csv(home: Path, folder: Path, database: str = DATABASE, multiline: Iterable[str] | None = None) -> str:
    """`neo4j-admin database import full` of a folder written by `kg export --format csv` into the
    (stopped) server at `home`, replacing its database. Returns neo4j-admin's summary line.
    `multiline`: the names of the files (without .csv) that have a field with a line break, when
    known (`write_csv` tells): neo4j-admin parses only those line by line, the others in parallel."""
    from kg.export import ARRAY_DELIMITER

    files = sorted(folder.glob("*.csv"))
    nodes = [f"--nodes={p}" for p in files if p.name.startswith("nodes_")]
    rels = [f"--relationships={p}" for p in files if p.name.startswith("rels_")]
    if not nodes:
        raise UsageError(f"{folder} holds no nodes_*.csv files (write them with `kg export --format csv`)")
    if multiline is None:
        lines = ["--multiline-fields=true"]
    else:
        broken = sorted(str(folder / f"{name}.csv") for name in multiline)
        lines = ["--multiline-fields-format=v2", f"--multiline-fields={','.join(broken)}"] if broken else []
    # a Source that cites many facts has one long `cites` cell (13 MB at 1M entities): neo4j-admin
    # refuses a field larger than its read buffer, so the buffer grows to hold the longest line
    longest = _longest_line(files)
    buffer = [f"--read-buffer-size={(2 * longest) // 1024 + 1024}k"] if 2 * longest > READ_BUFFER else []
    proc = run_admin(home, "database", "import", "full", database, "--overwrite-destination=true",
                     f"--array-delimiter={ARRAY_DELIMITER}", *lines, *buffer,
                     "--skip-bad-relationships=false", "--bad-tolerance=0", *nodes, *rels)
    if proc.returncode != 0:
        raise KgError(f"neo4j-admin import failed: {_why(proc)}")
    summary = [ln for ln in proc.stdout.splitlines() if "Imported:" in ln or "nodes" in ln.lower()]
    return summary[-1].strip() if summary else "imported"


# --- the checkout's server -------------------------------------------------------------------------

def checkout_server() -> tuple[LocalServer, str, str]:
    """The local server `kg db up` started here, its user and password."""
    folder = state_dir()
    state = read_state(folder)
    if state.get("backend") == "docker":
        raise UsageError("kg db dump/restore work on the local server; with Docker, run neo4j-admin in the "
                         "container (docker compose -p kg exec neo4j neo4j-admin database dump ...)")
    server = local_server()
    if server is None:
        raise UsageError("no local server was started here: run `kg db up` first")
    password = os.environ.get("NEO4J_PASSWORD") or read_password_file(folder)
    if not password:
        raise ServerError(f"no password for the local server in {folder}")
    return server, str(state.get("username") or "neo4j"), password


def _node_count(server: LocalServer, username: str, password: str) -> int:
    from kg.db import Database

    with Database(Settings(uri=server.bolt_uri, username=username, password=password)) as db:
        return int(db.read("MATCH (n) RETURN count(n) AS n")[0]["n"])


def _stopped(server: LocalServer, username: str, password: str, log: Callable[[str], None],
             work: Callable[[], str]) -> str:
    was_running = server.stop()
    if was_running:
        log("stopped the local server (Community edition dumps and loads only a stopped database)")
    try:
        return work()
    finally:
        if was_running:
            server.start(username, password, log=log)
            log("started the local server again")


def dump(target: Path, log: Callable[[str], None] = lambda _: None) -> str:
    """Dump the local server's database into the file `target` (never overwritten)."""
    if target.exists():
        raise UsageError(f"{target} exists; kg db dump never overwrites a file")
    if not target.parent.is_dir():
        raise KgError(f"cannot write {target}: folder {target.parent} does not exist")
    server, username, password = checkout_server()
    work_dir = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))

    def work() -> str:
        proc = run_admin(server.home, "database", "dump", DATABASE, f"--to-path={work_dir}")
        if proc.returncode != 0:
            raise KgError(f"neo4j-admin dump failed: {_why(proc)}")
        os.replace(work_dir / f"{DATABASE}.dump", target)
        return f"dumped database {DATABASE} to {target} ({target.stat().st_size} bytes)"

    try:
        return _stopped(server, username, password, log, work)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)


def restore(source: Path, force: bool = False, log: Callable[[str], None] = lambda _: None) -> str:
    """Replace the local server's database with the dump `source`; refuses a database that holds
    data unless `force`."""
    if not source.is_file():
        raise UsageError(f"{source}: no such dump file")
    server, username, password = checkout_server()
    if server.pid() is None:
        raise UsageError("the local server is not running: start it with `kg db up` first")
    count = _node_count(server, username, password)
    if count and not force:
        raise UsageError(f"database {DATABASE} holds {count} nodes; kg db restore replaces them only with --force")
    work_dir = Path(tempfile.mkdtemp(prefix=".restore."))
    try:
        (work_dir / f"{DATABASE}.dump").symlink_to(source.resolve())
        # read the archive's metadata first: a file that is no dump never stops the server
        info = run_admin(server.home, "database", "load", "--info", f"--from-path={work_dir}", DATABASE)
        if info.returncode != 0:
            raise KgError(f"{source} is not a dump of this Neo4j version ({versions.NEO4J_VERSION}): {_why(info)}; "
                          "the server was left as it was")

        def work() -> str:
            proc = run_admin(server.home, "database", "load", DATABASE, f"--from-path={work_dir}",
                             "--overwrite-destination=true")
            if proc.returncode != 0:
                raise KgError(f"neo4j-admin could not load {source} (not a dump of this Neo4j version?): "
                              f"{_why(proc)}")
            return f"restored database {DATABASE} from {source}"

        return _stopped(server, username, password, log, work)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)


# --- kg load --bulk: neo4j-admin import of a validated seed into an empty database -------------------

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
    server = local_server(settings.uri)
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
    from kg.db import Database
    from kg.export import write_csv
    from kg.seed.loader import ensure_schema, remember
    from kg.seed.records import seed_records

    username, password = settings.username, settings.password or ""
    report = BulkReport(len(seed.files), len(seed.sources), len(seed.nodes), len(seed.rels))
    count = _node_count(server, username, password)
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
        said = _stopped(server, username, password, log, work)
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
