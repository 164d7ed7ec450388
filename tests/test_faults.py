"""Faults: the server killed mid-load, the loader killed mid-load, two loads at once. In each
case loading again (or the loads together) gives exactly the graph of one clean load.

These tests run their own Neo4j (killing the suite's shared one would break other tests)."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.config import Settings
from kg.db import Database
from kg.export import canonical
from kg.seed import validate
from kg.seed.loader import load, wipe
from kg.server import LocalServer, free_port
from kg.synth import generate

from .conftest import ROOT

pytestmark = pytest.mark.db


class Victim:
    def __init__(self, home: Path) -> None:
        self.server = LocalServer(home, bolt_port=free_port(), http_port=free_port(), heap="1g", pagecache="256m")
        self.password = secrets.token_urlsafe(18)
        self.settings = Settings(uri=self.server.bolt_uri, username="neo4j", password=self.password)

    def start(self) -> None:
        self.server.start("neo4j", self.password, timeout=240)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "KG_"))}
        env.update(NEO4J_URI=self.settings.uri, NEO4J_USERNAME="neo4j", NEO4J_PASSWORD=self.password)
        return env

    def kg(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, "-m", "kg", *args], cwd=ROOT, env=self.env(), text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def count(self) -> int:
        with Database(self.settings) as db:
            return int(db.read("MATCH (n) RETURN count(n) AS n")[0]["n"])


@pytest.fixture(scope="module")
def victim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Victim]:
    v = Victim(tmp_path_factory.mktemp("victim-neo4j"))
    v.start()
    try:
        yield v
    finally:
        v.server.stop()


#: rows per transaction of the interrupted loads: small, so that a kill lands between many commits
BATCH = "200"


@pytest.fixture(scope="module")
def big_seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 18,000 rows: some 90 transactions of BATCH rows, so a kill leaves a partial load."""
    folder = tmp_path_factory.mktemp("synthetic-3k")
    generate(folder, entities=3_000, seed=11)
    return folder


@pytest.fixture(scope="module")
def clean_export(victim: Victim, big_seed: Path) -> list[str]:
    with Database(victim.settings) as db:
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


def test_two_loads_at_once_equal_one(victim: Victim, tmp_path: Path) -> None:
    small = tmp_path / "synthetic-1k"
    generate(small, entities=1_000, seed=5)
    with Database(victim.settings) as db:
        wipe(db)
        load(db, validate([small]))
        one = canonical(db)
        wipe(db)
    first, second = victim.kg("load", str(small)), victim.kg("load", str(small))
    for proc in (first, second):
        _, errors = proc.communicate(timeout=600)
        assert proc.returncode == 0, errors
    with Database(victim.settings) as db:
        assert canonical(db) == one
        dupes = db.read("MATCH (n:Entity) WITH n.id AS id, count(*) AS c WHERE c > 1 RETURN count(*) AS n")
        assert dupes == [{"n": 0}]
