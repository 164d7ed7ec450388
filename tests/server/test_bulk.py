"""`kg load --bulk`: neo4j-admin import of a validated seed into the empty database of the checkout's
local server gives exactly the graph a normal `kg load` writes; everything else is refused in one
line with nothing touched."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.config import Settings
from kg.graph.db import Database
from kg.graph.records import canonical
from kg.seed.loader import wipe
from kg.server.local import LocalServer
from kg.server.ports import free_port
from tests.conftest import KNOWN_PASSWORD, ROOT, CheckoutServer

pytestmark = pytest.mark.db


def _live(server: CheckoutServer) -> Database:
    return Database(Settings(uri=f"bolt://127.0.0.1:{server.bolt_port}", password=KNOWN_PASSWORD))


def _pid(server: CheckoutServer) -> int | None:
    return LocalServer(server.state / "neo4j", bolt_port=server.bolt_port, http_port=server.http_port).pid()


def _schema(db: Database) -> list[str]:
    names = [r["name"] for r in db.read("SHOW CONSTRAINTS YIELD name RETURN name")]
    names += [r["name"] for r in db.read("SHOW INDEXES YIELD name, owningConstraint "
                                         "WHERE owningConstraint IS NULL RETURN name")]
    return sorted(names)


@pytest.fixture
def empty(checkout_server: CheckoutServer) -> Iterator[CheckoutServer]:
    """The session's checkout server with an empty database, emptied again afterwards (the other
    tests share it)."""
    with _live(checkout_server) as db:
        wipe(db)
    yield checkout_server
    with _live(checkout_server) as db:
        wipe(db)


def test_bulk_load_writes_the_graph_a_normal_load_writes(empty: CheckoutServer, tmp_path: Path) -> None:
    """The seed and a synthetic graph beside it, in one import (each import restarts the server, the
    suite's slowest step): the seed's real quotes and dates, and the synthetic graph's line breaks."""
    from kg.synth import generate

    generate(tmp_path / "synth", entities=300)
    # a line break in a value: neo4j-admin must parse that file line by line (--multiline-fields)
    first = tmp_path / "synth" / "sources" / "source-00000.yaml"
    text = first.read_text()
    line = next(ln for ln in text.splitlines() if ln.startswith("  summary: "))
    first.write_text(text.replace(line, '  summary: "first line\\nsecond line, \\"quoted\\"\\r\\nthird"', 1))
    args = (str(ROOT / "seed"), str(tmp_path / "synth"))
    normal = empty.run("load", *args)
    assert normal.returncode == 0, normal.stderr
    with _live(empty) as db:
        expected, schema = canonical(db), _schema(db)
        wipe(db)
    assert any('first line\\nsecond line, \\"quoted\\"\\r\\nthird' in line for line in expected)
    assert any('"eps"' in line for line in expected) and any("src-synthetic-00000" in line for line in expected)
    before = _pid(empty)
    bulk = empty.run("load", "--bulk", *args)
    assert bulk.returncode == 0, bulk.stderr
    assert "bulk-loaded" in bulk.stderr and "started the local server again" in bulk.stderr
    assert "wrote kg's guide" in bulk.stderr
    assert _pid(empty) not in (None, before)  # it was restarted, and runs
    with _live(empty) as db:
        got = canonical(db)
        assert _schema(db) == schema  # constraints, full-text and range indexes, as a load makes them
        assert db.read("SHOW INDEXES YIELD state WHERE state <> 'ONLINE' RETURN count(*) AS n")[0]["n"] == 0
    assert len(got) == len(expected) > 100
    assert got == expected
    # a normal load over the bulk-loaded graph changes nothing (it is the same graph, keys and all)
    again = empty.run("load", *args)
    assert again.returncode == 0, again.stderr
    assert "created 0 nodes and 0 relationships" in again.stderr or "nothing changed since the last load" in (
        again.stderr), again.stderr
    with _live(empty) as db:
        assert canonical(db) == expected


def test_bulk_load_refuses_a_database_that_holds_data(empty: CheckoutServer) -> None:
    assert empty.run("load").returncode == 0
    with _live(empty) as db:
        before = canonical(db)
    pid = _pid(empty)
    refused = empty.run("load", "--bulk")
    assert refused.returncode == 2, refused.stderr
    assert refused.stderr.strip().endswith("kg load --bulk loads only an empty database (load without --bulk)")
    assert "holds" in refused.stderr and "Traceback" not in refused.stderr and "stopped" not in refused.stderr
    assert _pid(empty) == pid
    with _live(empty) as db:
        assert canonical(db) == before


def test_bulk_load_validates_first_and_leaves_the_server_alone(empty: CheckoutServer, tmp_path: Path) -> None:
    pid = _pid(empty)
    bad = empty.run("load", "--bulk", str(ROOT / "tests" / "bad_seeds" / "bad-id.yaml"))
    assert bad.returncode == 1 and "bad-id.yaml:3:" in bad.stderr, bad.stderr
    assert "Traceback" not in bad.stderr and "stopped" not in bad.stderr
    # some files only: every id they name must be declared in them (the database is empty)
    partial = empty.run("load", "--bulk", str(ROOT / "seed" / "sources"))
    assert partial.returncode == 1 and "unknown id" in partial.stderr, partial.stderr
    assert _pid(empty) == pid
    with _live(empty) as db:
        assert db.read("MATCH (n) RETURN count(n) AS n")[0]["n"] == 0


def test_bulk_load_and_dry_run_do_not_go_together(empty: CheckoutServer) -> None:
    proc = empty.run("load", "--bulk", "--dry-run")
    assert proc.returncode == 2 and "--bulk and --dry-run do not go together" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_bulk_load_refuses_any_other_server(empty: CheckoutServer, tmp_path: Path) -> None:
    pid = _pid(empty)
    other = f"bolt://127.0.0.1:{free_port()}"
    remote = empty.run("load", "--bulk", NEO4J_URI=other)
    assert remote.returncode == 2 and f"{other} is not it; load without --bulk" in remote.stderr, remote.stderr
    assert len(remote.stderr.strip().splitlines()) == 1

    docker_state = tmp_path / "docker"
    docker_state.mkdir()
    (docker_state / "server.json").write_text(json.dumps({"backend": "docker", "uri": "bolt://127.0.0.1:7687"}))
    docker = empty.run("load", "--bulk", KG_STATE_DIR=str(docker_state))
    assert docker.returncode == 2 and "with Docker, load without --bulk" in docker.stderr, docker.stderr

    port = free_port()
    stopped_state = tmp_path / "stopped"
    stopped_state.mkdir()
    (stopped_state / "server.json").write_text(json.dumps({
        "backend": "local", "uri": f"bolt://127.0.0.1:{port}", "bolt_port": port, "http_port": free_port(),
        "home": str(stopped_state / "neo4j"), "username": "neo4j"}))
    stopped = empty.run("load", "--bulk", KG_STATE_DIR=str(stopped_state))
    assert stopped.returncode == 2 and "the local server is not running" in stopped.stderr, stopped.stderr
    assert _pid(empty) == pid
