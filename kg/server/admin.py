"""neo4j-admin, run from the same jars as the local server: `database import full` (of kg's CSV
export, kg/server/bulk.py), `database dump` and `database load` (kg db dump / restore).

Community edition cannot dump or load a database that a running server has open, so dump and
restore stop the local server, run the command, and start it again (also when the command fails).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from kg import versions
from kg.config import Settings, read_password_file, read_state, state_dir
from kg.errors import KgError, ServerError, UsageError
from kg.export.csv import ARRAY_DELIMITER
from kg.graph.db import Database
from kg.server.checkout import checkout_server as local_server
from kg.server.jars import java_command, java_options, resolve_jars
from kg.server.local import LocalServer

ADMIN_TOOL = "org.neo4j.cli.AdminTool"
DATABASE = "neo4j"


def run_admin(home: Path, *args: str, timeout: float = 3600) -> subprocess.CompletedProcess[str]:
    """Run `neo4j-admin ARGS` for the server whose home is `home`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    env.update(NEO4J_HOME=str(home), NEO4J_CONF=str(home / "conf"))
    cmd = [java_command(), "-Xmx1g", *java_options(), "-Dfile.encoding=UTF-8", "-cp", f"{resolve_jars()}/*",
           ADMIN_TOOL, *args]
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

def checkout_login() -> tuple[LocalServer, str, str]:
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


def node_count(server: LocalServer, username: str, password: str) -> int:
    with Database(Settings(uri=server.bolt_uri, username=username, password=password)) as db:
        return int(db.read("MATCH (n) RETURN count(n) AS n")[0]["n"])


def stopped(server: LocalServer, username: str, password: str, log: Callable[[str], None],
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
    server, username, password = checkout_login()
    work_dir = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))

    def work() -> str:
        proc = run_admin(server.home, "database", "dump", DATABASE, f"--to-path={work_dir}")
        if proc.returncode != 0:
            raise KgError(f"neo4j-admin dump failed: {_why(proc)}")
        os.replace(work_dir / f"{DATABASE}.dump", target)
        return f"dumped database {DATABASE} to {target} ({target.stat().st_size} bytes)"

    try:
        return stopped(server, username, password, log, work)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)


def restore(source: Path, force: bool = False, log: Callable[[str], None] = lambda _: None) -> str:
    """Replace the local server's database with the dump `source`; refuses a database that holds
    data unless `force`."""
    if not source.is_file():
        raise UsageError(f"{source}: no such dump file")
    server, username, password = checkout_login()
    if server.pid() is None:
        raise UsageError("the local server is not running: start it with `kg db up` first")
    count = node_count(server, username, password)
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

        return stopped(server, username, password, log, work)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)


# --- kg load --bulk: neo4j-admin import of a validated seed into an empty database -------------------
