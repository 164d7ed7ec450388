"""The loader, against a real Neo4j: idempotence, and reloading an edited source. (The curated seed
itself, its quotes and the facts it holds: tests/content/test_seed_content.py.)"""

from __future__ import annotations

import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import neo4j
import pytest

from kg.errors import ValidationFailed
from kg.graph.db import Database
from kg.graph.records import canonical
from kg.seed import loader
from kg.seed.loader import DEFAULT_BATCH, LoadReport, Writer, load, wipe, write_seed
from kg.seed.validate import validate
from tests.conftest import ROOT, ServerHandle, run_kg, run_kg_process

SEED = ROOT / "seed"
TEXTS = ROOT.parent / "shared" / "sources"
CTV = "src-ctv-edmonton-2020-02-28"
CBC = "src-cbc-hamilton-2020-02"



@pytest.mark.db
def test_loading_twice_gives_the_same_graph(db: Database) -> None:
    seed = validate([SEED])
    first = load(db, seed)
    export_one = canonical(db)
    second = load(db, validate([SEED]))
    assert canonical(db) == export_one
    assert second.counters["nodes_created"] == 0 and second.counters["relationships_created"] == 0
    assert first.counters["nodes_created"] > 100


@pytest.mark.db
def test_cli_load_twice_identical_counts_and_export(server: ServerHandle, db: Database) -> None:
    env = server.env()
    one = run_kg("load", env=env)
    assert one.returncode == 0, one.stderr
    export_one = run_kg("export", env=env).stdout
    stats_one = run_kg("stats", "--format", "json", env=env).stdout
    two = run_kg("load", env=env)
    assert two.returncode == 0, two.stderr
    assert "created 0 nodes and 0 relationships" in two.stderr
    assert "nothing changed since the last load" in two.stderr
    assert run_kg("export", env=env).stdout == export_one
    assert run_kg("stats", "--format", "json", env=env).stdout == stats_one
    forced = run_kg("load", "--force", env=env)  # writes the whole seed again: the same graph
    assert forced.returncode == 0, forced.stderr
    assert "created 0 nodes and 0 relationships, set " in forced.stderr
    assert "nothing changed" not in forced.stderr
    assert run_kg("export", env=env).stdout == export_one


@pytest.mark.db
def test_reloading_an_edited_source_leaves_no_stale_facts(db: Database, tmp_path: Path) -> None:
    seed_dir = tmp_path / "seed"
    shutil.copytree(SEED, seed_dir)
    load(db, validate([seed_dir]))
    ctv = seed_dir / "sources" / "ctv-edmonton-2020-02-28.yaml"
    text = ctv.read_text()
    # 1. drop the investigation of EPS by Alberta's commissioner from the CTV file
    start = text.index("  - id: inv-alberta-oipc-eps-compliance")
    end = text.index("\n  - id:", start + 10)
    edited = text[:start] + text[end + 1:]
    # and every link that pointed at it
    edited = "\n".join(line for line in edited.splitlines() if "inv-alberta-oipc-eps-compliance" not in line) + "\n"
    ctv.write_text(edited)
    try:
        seed = validate([seed_dir])
    except ValidationFailed as e:  # pragma: no cover - the edit must leave a valid file
        pytest.fail("\n".join(e.problems))
    report = load(db, seed)
    assert db.read("MATCH (n {id: 'inv-alberta-oipc-eps-compliance'}) RETURN n") == []
    assert report.stale_nodes >= 1
    # a fact both articles report, removed from one file, keeps the other's citation
    assert db.read("MATCH (:Entity {id: 'toronto-police'})-[r:USED]->() RETURN r.sources AS s") == [{"s": [CBC, CTV]}]
    text = ctv.read_text()
    edited = text.replace("id: toronto-police-used-clearview", "id: toronto-police-used-clearview-ctv")
    ctv.write_text(edited)
    load(db, validate([seed_dir]))
    rows = db.read("MATCH (:Entity {id: 'toronto-police'})-[r:USED]->() RETURN r.key AS key, r.sources AS s "
                   "ORDER BY key")
    assert rows == [{"key": "toronto-police-used-clearview", "s": [CBC]},
                    {"key": "toronto-police-used-clearview-ctv", "s": [CTV]}]
    # loading only one source keeps the other source's citations
    load(db, validate([seed_dir / "actors", seed_dir / "sources" / "cbc-hamilton-2020-02.yaml"]))
    nyt = db.read("MATCH (r:Report {id: 'rep-nyt-clearview-investigation'}) RETURN r.sources AS s")
    assert nyt == [{"s": [CBC, CTV]}]


@pytest.mark.db
def test_a_long_load_in_a_terminal_shows_progress_for_validation_and_writing(db: Database, server: ServerHandle,
                                                                            tmp_path: Path) -> None:
    """In a terminal (here a pseudo-terminal), `kg load` of a large seed shows a progress bar on stderr
    while it validates and while it writes; into a pipe, none."""
    import os
    import pty
    import subprocess
    import sys

    from kg.cli.options import LONG_VALIDATION_BYTES
    from kg.seed.validate import seed_bytes
    from kg.synth import generate

    generate(tmp_path / "seed", entities=2_200, seed=3)
    assert seed_bytes([tmp_path / "seed"]) >= LONG_VALIDATION_BYTES
    leader, follower = pty.openpty()
    env = server.env(COLUMNS="100", TERM="xterm")
    proc = subprocess.Popen([sys.executable, "-m", "kg", "load", str(tmp_path / "seed")], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=follower, stdin=subprocess.DEVNULL)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        seen += chunk
    proc.wait(timeout=600)
    os.close(leader)
    terminal = seen.decode(errors="replace")
    assert proc.returncode == 0, terminal
    assert "validating" in terminal and "loading" in terminal, terminal[-2000:]
    piped = run_kg_process("validate", str(tmp_path / "seed"), env=server.env())
    assert piped.returncode == 0 and "validating" not in piped.stderr and piped.stderr.startswith("ok: ")


def _merged(db: Database, seed_dir: Path) -> list[str]:
    """The graph the general (MERGE) path makes of a whole seed, from an empty database."""
    seed = validate([seed_dir])
    report = LoadReport()
    with db.driver.session(database=db.settings.database) as session:
        session.execute_write(lambda tx: write_seed(
            Writer(db, report, DEFAULT_BATCH, sorted(seed.sources), lambda _w, _n: None, tx), seed, report,
            full=True, create=False))
    assert report.counters["nodes_created"] > 0
    return canonical(db)


@pytest.mark.db
@pytest.mark.parametrize("atomic", [True, False])
def test_loading_into_an_empty_database_gives_the_graph_merging_gives(db: Database, tmp_path: Path,
                                                                      atomic: bool) -> None:
    """Into an empty database the loader CREATEs; the graph is the one the MERGE path makes, for the
    curated seed and for a synthetic one (in one transaction, and in batches of 7 rows)."""
    from kg.synth import generate

    synth = tmp_path / "synth"
    generate(synth, entities=120)
    for seed_dir in (SEED, synth):
        wipe(db)
        expected = _merged(db, seed_dir)
        wipe(db)
        report = (load(db, validate([seed_dir]), full=True) if atomic
                  else load(db, validate([seed_dir]), full=True, atomic_rows=0, batch_size=7))
        assert report.counters["nodes_created"] == report.nodes + report.sources
        assert canonical(db) == expected


@pytest.mark.db
def test_a_load_merging_while_another_creates_leaves_no_twin_edges(db: Database) -> None:
    """Two loads at once into an empty database: the one that finds it empty CREATEs, the other
    MERGEs. Here the second runs whole between two batches of the first's provenance edges (as two
    processes can by chance, tests/seed/test_faults.py): the first then CREATEs edges the second has
    merged, and takes the twins back."""
    seed = validate([SEED])
    load(db, seed, full=True)
    one = canonical(db)
    wipe(db)
    second: list[LoadReport] = []

    def between(what: str, _rows: int) -> None:
        if what == "provenance" and not second:
            second.append(load(db, seed))

    first = load(db, seed, full=True, atomic_rows=0, batch_size=20, progress=between)
    assert second and second[0].counters["relationships_created"] > 0  # it merged edges the first had not made
    assert first.counters["relationships_deleted"] > 0  # and the first took its twins back
    assert canonical(db) == one
    assert db.read("MATCH (s:Source)-[r]->(n) WITH s, type(r) AS t, n, count(r) AS c WHERE c > 1 "
                   "RETURN count(*) AS twins") == [{"twins": 0}]


@pytest.mark.db
def test_batches_in_flight_retry_transient_errors_until_another_batch_fails(db: Database,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A large load keeps two batches in flight. Each is tried again after a transient error (a
    deadlock, the server briefly away), as the driver's `execute_write` would; but once another batch
    has failed for good the load is lost, and a batch still retrying gives up at once. (When the
    server died under a load, its last batch went on retrying for the driver's whole 15 s, and
    `kg load` ended up to 30 s after the error: tests/seed/test_faults.py.)"""
    monkeypatch.setattr(loader, "RETRY_FIRST_DELAY", 0.05)
    attempts: list[str] = []

    def flaky(tx: neo4j.ManagedTransaction | neo4j.Transaction) -> int:
        value = int(tx.run("RETURN 41 + 1 AS n").single(strict=True)["n"])  # a real transaction, each time
        attempts.append("flaky")
        if len(attempts) == 1:
            raise neo4j.exceptions.TransientError("a deadlock, say")  # retryable
        return value

    def away(tx: neo4j.ManagedTransaction | neo4j.Transaction) -> int:
        tx.run("RETURN 1").consume()
        attempts.append("away")
        raise neo4j.exceptions.ServiceUnavailable("the server went away")  # retryable too

    with ThreadPoolExecutor(2) as pool:
        writer = Writer(db, LoadReport(), DEFAULT_BATCH, [], lambda _what, _n: None, pool=pool, writers=2)
        assert pool.submit(writer._retried, flaky).result(timeout=60) == 42
        assert attempts == ["flaky", "flaky"]
        attempts.clear()
        retrying = pool.submit(writer._retried, away)
        while not attempts:
            time.sleep(0.01)
        writer._failed.set()  # as when another batch of the load fails
        with pytest.raises(neo4j.exceptions.ServiceUnavailable):
            retrying.result(timeout=60)
    assert attempts == ["away"] or attempts == ["away", "away"]  # not the dozen of a 15 s retry


@pytest.mark.db
def test_reloading_an_unchanged_seed_writes_nothing(db: Database, tmp_path: Path) -> None:
    seed_dir = tmp_path / "seed"
    shutil.copytree(SEED, seed_dir)
    first = load(db, validate([seed_dir]), full=True)
    export_one = canonical(db)
    assert not first.unchanged and not any("KgLoad" in line for line in export_one)
    again = load(db, validate([seed_dir]), full=True)
    assert again.unchanged and not any(again.counters.values())
    assert again.summary().startswith("nothing changed since the last load: ")
    assert canonical(db) == export_one
    # --force writes it all again, to the same graph
    forced = load(db, validate([seed_dir]), full=True, force=True)
    assert not forced.unchanged and forced.counters["properties_set"] > 0 and canonical(db) == export_one
    # a node deleted by hand changes the counts: the next load writes it again
    db.run_auto("MATCH (n:Entity {id: 'toronto-police'}) DETACH DELETE n")
    restored = load(db, validate([seed_dir]), full=True)
    assert not restored.unchanged and restored.counters["nodes_created"] == 1 and canonical(db) == export_one
    # an edited file is written
    ctv = seed_dir / "sources" / "ctv-edmonton-2020-02-28.yaml"
    ctv.write_text(ctv.read_text().replace("    officers: 3\n", "    officers: 4\n", 1))
    edited = load(db, validate([seed_dir]), full=True)
    assert not edited.unchanged and edited.counters["properties_set"] > 0
    assert sum('"officers": 4' in line for line in canonical(db)) == 1
    assert load(db, validate([seed_dir]), full=True).unchanged
    # a load of some files forgets the digest: the next whole load writes
    load(db, validate([seed_dir / "actors", seed_dir / "sources" / "cbc-hamilton-2020-02.yaml"]))
    assert not load(db, validate([seed_dir]), full=True).unchanged


def test_the_load_digest_follows_the_files_bytes(tmp_path: Path) -> None:
    """The digest a whole-seed load remembers is of the files as read: the same files give the same
    digest, and any edit (even a comment) another."""
    from kg.seed.loader import seed_digest

    seed_dir = tmp_path / "seed"
    shutil.copytree(SEED, seed_dir)
    first = seed_digest(validate([seed_dir]))
    assert seed_digest(validate([seed_dir])) == first
    ctv = seed_dir / "sources" / "ctv-edmonton-2020-02-28.yaml"
    ctv.write_text(ctv.read_text() + "# a comment\n")
    assert seed_digest(validate([seed_dir])) != first


def test_the_note_on_unchecked_quotes_names_ten_sources_and_counts_the_others() -> None:
    from kg.seed.validate import unchecked_note
    from kg.seed.validated import Seed

    seed = Seed(quotes_unchecked=30, unchecked_why=[f"src-{i} names no text" for i in range(15)], texts="/texts")
    note = unchecked_note(seed)
    assert note.startswith("30 quotes not checked against an article text: src-0 names no text; src-1 ")
    assert note.endswith("; src-9 names no text; and 5 more sources")
