"""A short soak of `kg serve --workers 2` (bench/soak.py, whose ten-minute run, `make soak`, writes
its figures into docs/security.md): a bounded load on loopback during which Neo4j is stopped with
`kg db down` and started with `kg db up` once. No worker dies; requests fail only while Neo4j is
down, with a 503 that says so; pages are served again within seconds of its return; the workers'
memory grows at most 10% from the sixth second to the end.

The server stopped is the session's checkout server (tests/conftest.py), as the fault tests stop it:
a server of the test's own would cost a start and a first load, some 30 s on two shared cores. It
is brought back up whatever happens, and holds the seed afterwards (other modules load their own)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from bench.soak import BEGIN, DOC, END, Plan, Report, mix, render, soak, write_section
from bench.web import serve, stop
from kg.config import Settings
from kg.errors import KgError
from kg.graph.db import Database
from kg.seed.loader import load, wipe
from kg.seed.validate import validate
from kg.server.ports import bolt_uri, free_port
from tests.conftest import KNOWN_PASSWORD, ROOT, CheckoutServer, run_kg_process
from tests.web.test_web import TEXTS

pytestmark = pytest.mark.db

#: load from 0 s; Neo4j stopped at 8 s, started at 12 s; memory from 6 s; 8 s of load once it is back
PLAN = Plan(seconds=20, outages=((8, 12),), baseline=6, tail=8)


def _answers(settings: Settings) -> bool:
    try:
        with Database(settings) as db:
            db.read("RETURN 1 AS one")
        return True
    except KgError:
        return False


@pytest.mark.soak
def test_kg_serve_rides_out_an_outage_of_neo4j(checkout_server: CheckoutServer, tmp_path: Path) -> None:
    env = checkout_server.env(KG_TEXTS=str(TEXTS))
    settings = Settings(uri=bolt_uri(checkout_server.bolt_port), username="neo4j", password=KNOWN_PASSWORD)

    def kg(*args: str) -> None:
        proc = run_kg_process(*args, env=env)
        checkout_server.printed.append(proc.stdout + proc.stderr)  # grepped for the password at the end
        assert proc.returncode == 0, proc.stderr

    with Database(settings) as db:
        wipe(db)
        load(db, validate([ROOT / "seed"]))
        # the drawing's first request imports the views' code (some 20 MB, once per worker): a short
        # soak cannot be sure both workers drew one before its baseline; the ten-minute one can
        paths = [p for p in mix(db) if not p.endswith("/graph")]
    log = tmp_path / "serve.log"
    port = free_port()
    server = serve(env, 2, port, log=log)
    report: Report | None = None
    try:
        report = soak(f"http://127.0.0.1:{port}", server, settings, lambda: kg("db", "down"), lambda: kg("db", "up"),
                      paths, PLAN, clients=3, every=1.0, log=log)
    finally:
        stop(server)
        if not _answers(settings):  # the suite's server comes back, whatever happened
            kg("db", "up")
    assert report is not None
    failed = [f"{what}: {why}" for what, ok, why in report.criteria() if not ok]
    assert not failed, failed
    assert len(report.outages) == 1 and sum(h.start > report.outages[0].end for h in report.hits) >= 3
    copy = tmp_path / "security.md"  # the section as `make soak` writes it, the rest of the page kept
    copy.write_text(DOC.read_text(encoding="utf-8"), encoding="utf-8")
    write_section(copy, render(report, "abc1234", "today"))
    before, after = DOC.read_text(encoding="utf-8").split(BEGIN), copy.read_text(encoding="utf-8").split(BEGIN)
    assert after[0] == before[0] and after[1].split(END)[1] == before[1].split(END)[1]
    assert "at commit abc1234" in after[1] and "| outage 1 |" in after[1]


CRITERIA = ("no worker died", "requests fail only while Neo4j is down", "while it is down: a 503 that says so",
            "pages back within", "workers' memory grows at most")


def test_the_soak_section_comes_from_a_run_of_a_commit() -> None:
    """docs/security.md holds the figures of a ten-minute `make soak`, naming the commit it ran on,
    with a verdict on each criterion (met or not: the page says which)."""
    section = DOC.read_text(encoding="utf-8").split(BEGIN)[1].split(END)[0]
    commit = re.search(r"at commit ([0-9a-f]{7,40})", section)
    assert commit, "no soak has written docs/security.md: run make soak"
    assert subprocess.run(["git", "cat-file", "-e", f"{commit[1]}^{{commit}}"], cwd=ROOT, check=False).returncode == 0
    assert "`kg serve --workers 2`" in section and "| outage 2 |" in section
    for criterion in CRITERIA:
        assert re.search(rf"\| {re.escape(criterion)}[^|]*\| (met|\*\*not met\*\*) \|", section), criterion
