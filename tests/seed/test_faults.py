"""Faults: the server killed mid-load, the loader killed mid-load, two loads at once. In each
case loading again (or the loads together) gives exactly the graph of one clean load.

These tests kill the session's checkout server (tests/conftest.py), not the suite's shared one,
and bring it back with `kg db up`."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.config import Settings
from kg.graph.db import Database
from kg.graph.records import canonical
from kg.seed.loader import load, wipe
from kg.seed.validate import validate
from kg.server.local import LocalServer
from kg.server.ports import bolt_uri
from kg.synth import generate
from tests.conftest import KNOWN_PASSWORD, ROOT, CheckoutServer, ServerHandle

pytestmark = pytest.mark.db


class Victim:
    """The session's checkout server (`kg db up` in a state folder of its own), which these tests
    kill and bring back with `kg db up`, as a user would after a crash."""

    def __init__(self, checkout: CheckoutServer) -> None:
        self.checkout = checkout
        self.server = LocalServer(checkout.state / "neo4j", bolt_port=checkout.bolt_port,
                                  http_port=checkout.http_port)
        self.settings = Settings(uri=bolt_uri(checkout.bolt_port), username="neo4j", password=KNOWN_PASSWORD)

    def start(self) -> None:
        up = self.checkout.run("db", "up")
        assert up.returncode == 0 and "is up" in up.stderr, up.stderr

    def kg(self, *args: str) -> subprocess.Popen[str]:
        # in batches, however small the seed: a kill then lands between commits, and leaves a partial load
        env = {**self.checkout.env(), "KG_ATOMIC_ROWS": "0"}
        return subprocess.Popen([sys.executable, "-m", "kg", *args], cwd=ROOT, env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def count(self) -> int:
        with Database(self.settings) as db:
            return int(db.read("MATCH (n) RETURN count(n) AS n")[0]["n"])


@pytest.fixture(scope="module")
def victim(checkout_server: CheckoutServer) -> Victim:
    return Victim(checkout_server)


#: rows per transaction of the interrupted loads: small, so that a kill lands between many commits
BATCH = "200"


@pytest.fixture(scope="module")
def big_seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 6,000 rows (nodes first): some 30 transactions of BATCH rows, so a kill after 300 nodes
    leaves most of the load undone."""
    folder = tmp_path_factory.mktemp("synthetic-1k")
    generate(folder, entities=1_000, seed=11)
    return folder


@pytest.fixture(scope="module")
def clean_export(_guarded: ServerHandle, big_seed: Path) -> list[str]:
    """The graph of one clean load, made on the suite's shared server (a canonical export is the same
    on any server)."""
    with Database(_guarded.settings) as db:
        wipe(db)
        load(db, validate([big_seed]))
        export = canonical(db)
        wipe(db)
    return export


def _wait_for_writes(v: Victim, proc: subprocess.Popen[str], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"the load ended before it could be interrupted: {proc.communicate()}"
        if v.count() > 300:
            return
        time.sleep(0.2)
    raise AssertionError("the load wrote nothing in time")


def _reload_equals_clean(v: Victim, big_seed: Path, clean_export: list[str]) -> None:
    again = v.kg("load", str(big_seed))  # the default batch size
    _, errors = again.communicate(timeout=600)
    assert again.returncode == 0, errors
    with Database(v.settings) as db:
        assert canonical(db) == clean_export


def test_server_killed_mid_load(victim: Victim, big_seed: Path, clean_export: list[str]) -> None:
    with Database(victim.settings) as db:  # the checkout server may hold what other tests loaded
        wipe(db)
    proc = victim.kg("load", "--batch-size", BATCH, str(big_seed))
    _wait_for_writes(victim, proc)
    victim.server.kill()  # SIGKILL, as a crash
    _, errors = proc.communicate(timeout=120)
    assert proc.returncode == 1, errors
    lines = [ln for ln in errors.strip().splitlines() if not ln.startswith("note: ")]  # notes are not errors
    assert len(lines) == 1 and "cannot reach Neo4j" in lines[0] and "Traceback" not in errors, errors
    victim.start()
    assert victim.count() > 0  # a partial load survived the crash ...
    _reload_equals_clean(victim, big_seed, clean_export)  # ... and loading again completes it exactly


def test_loader_killed_mid_load(victim: Victim, big_seed: Path, clean_export: list[str]) -> None:
    with Database(victim.settings) as db:
        wipe(db)
    proc = victim.kg("load", "--batch-size", BATCH, str(big_seed))
    _wait_for_writes(victim, proc)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    _reload_equals_clean(victim, big_seed, clean_export)


def test_two_loads_at_once_equal_one(victim: Victim, tmp_path: Path, _guarded: ServerHandle) -> None:
    small = tmp_path / "synthetic-500"
    generate(small, entities=500, seed=5)
    with Database(_guarded.settings) as db:  # one clean load, on the suite's shared server
        wipe(db)
        load(db, validate([small]))
        one = canonical(db)
        wipe(db)
    with Database(victim.settings) as db:
        wipe(db)
    first, second = victim.kg("load", str(small)), victim.kg("load", str(small))
    for proc in (first, second):
        _, errors = proc.communicate(timeout=600)
        assert proc.returncode == 0, errors
    with Database(victim.settings) as db:
        assert canonical(db) == one
        dupes = db.read("MATCH (n:Entity) WITH n.id AS id, count(*) AS c WHERE c > 1 RETURN count(*) AS n")
        assert dupes == [{"n": 0}]
