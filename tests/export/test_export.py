"""Getting the graph out: each export is read back by the tool it is for (networkx, followthemoney,
neo4j-admin), with its provenance; Markdown answers; dumps and restores; diffs; bad input."""

from __future__ import annotations

import json
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from kg.config import Settings
from kg.export import export
from kg.graph.db import Database
from kg.graph.records import canonical
from kg.output import to_markdown
from kg.server.local import LocalServer
from kg.server.ports import free_port
from tests.conftest import ROOT, CheckoutServer, ServerHandle, run_kg

CTV = "src-ctv-edmonton-2020-02-28"
CBC = "src-cbc-hamilton-2020-02"


def _counts(db: Database) -> tuple[int, int]:
    nodes = db.read("MATCH (n) RETURN count(n) AS n")[0]["n"]
    rels = db.read("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"]
    return nodes, rels


@pytest.mark.db
@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_graphml_and_gexf_read_back_by_networkx_with_provenance(seeded: Database, tmp_path: Path, fmt: str) -> None:
    import networkx as nx

    out = tmp_path / f"graph.{fmt}"
    export(seeded, fmt, out)
    graph = nx.read_graphml(out, force_multigraph=True) if fmt == "graphml" else nx.read_gexf(out)
    assert (graph.number_of_nodes(), graph.number_of_edges()) == _counts(seeded)
    eps = graph.nodes["eps"]
    assert (eps["kind"], eps["name"]) == ("PoliceAgency", "Edmonton Police Service")
    assert "EPS" in json.loads(eps["aliases"])  # lists travel as JSON text
    [used] = [d for a, b, d in graph.edges("eps", data=True) if d["type"] == "USED" and b == "clearview-app"
              and d.get("purpose") == "auto theft investigation"]
    assert (used["start"], used["start_precision"], used["start_as_written"]) == ("2020-01", "month",
                                                                                   "the following month")
    assert json.loads(used["sources"]) == [CTV]
    assert json.loads(used["quotes"])[0].startswith("used it during an auto theft investigation")
    assert used["approved"] is False  # typed attributes stay typed
    # what the loader derives for kg's indexes is not for people's tools (the CSV keeps it: below)
    derived = {"name_key", "aliases_text", "quotes_text"}
    assert not any(derived & set(data) for _, data in graph.nodes(data=True))
    assert not any(derived & set(data) for _, _, data in graph.edges(data=True))


@pytest.mark.db
def test_ftm_lines_parse_with_followthemoney_and_carry_sources_and_quotes(seeded: Database, tmp_path: Path) -> None:
    from followthemoney import model

    out = tmp_path / "graph.ftm.json"
    export(seeded, "ftm", out)
    entities = {}
    for line in out.read_text().splitlines():
        proxy = model.get_proxy(json.loads(line))  # raises on anything FtM does not accept
        entities[proxy.id] = proxy
    bergen = entities["frank-bergen"]
    assert bergen.schema.name == "Person" and bergen.get("name") == ["Frank Bergen"]
    eps = entities["eps"]
    assert eps.schema.name == "PublicBody" and "EPS" in eps.get("alias")
    article = entities[CTV]
    assert article.schema.name == "Article" and article.get("publishedAt") == ["2020-02-28"]
    [use] = [e for e in entities.values() if e.schema.name == "UnknownLink" and e.get("subject") == ["eps"]
             and e.get("object") == ["clearview-app"] and "auto theft" in " ".join(e.get("description"))]
    assert use.get("role") == ["USED"] and use.get("startDate") == ["2020-01"]  # a month stays a month
    assert use.get("proof") == [CTV]
    assert any("used it during an auto theft investigation" in s for s in use.get("summary"))
    role = [e for e in entities.values() if e.schema.name == "Membership" and e.get("member") == ["frank-bergen"]]
    assert role and role[0].get("organization") == ["hamilton-police"]


@pytest.mark.db
@contextmanager
def _imported(tmp_path: Path, folder: Path) -> Iterator[Database]:
    """A fresh local server whose database `neo4j-admin database import` made from the CSV `folder`."""
    from kg.server.admin import import_csv

    fresh = LocalServer(tmp_path / "fresh", bolt_port=free_port(), http_port=free_port(), heap="512m",
                        pagecache="64m")
    fresh.write_conf()
    import_csv(fresh.home, folder)
    password = secrets.token_urlsafe(18)
    fresh.start("neo4j", password, timeout=240)
    try:
        with Database(Settings(uri=fresh.bolt_uri, password=password)) as imported:
            yield imported
    finally:
        fresh.stop()


def test_csv_files_import_with_neo4j_admin_into_a_fresh_database_unchanged(seeded: Database, tmp_path: Path) -> None:
    """The seed's CSV files import unchanged; with them, in the same import (each starts a server of
    its own), a Source citing many facts: one long `cites` cell (13 MB at 1M entities), which
    neo4j-admin's default 4 MB read buffer refused ("Error in input data"), so kg load --bulk failed."""
    from kg.export.csv import write_csv
    from kg.graph.records import NodeRecord
    from kg.server.admin import READ_BUFFER

    folder = tmp_path / "csv"
    export(seeded, "csv", folder)
    header = (folder / "nodes_PoliceAgency.csv").read_text().splitlines()[0]
    assert "id:ID" in header and header.endswith(":LABEL") and "aliases:string[]" in header
    assert "collective:boolean" in header
    assert (folder / "rels_USED.csv").read_text().startswith(":START_ID,:END_ID,:TYPE,")
    assert "officers:long" in (folder / "rels_USED.csv").read_text().splitlines()[0]
    assert "name_key" in header and "quotes_text" in (folder / "rels_USED.csv").read_text().splitlines()[0]

    cites = [f"USED|k-{i}|agency-{i}|product-{i % 7}" for i in range(200_000)]
    assert len("\u00a6".join(cites)) > 1.5 * READ_BUFFER
    big = tmp_path / "big"
    big.mkdir()
    write_csv(lambda: [NodeRecord(["Entity", "Source"], {"id": "src-big", "cites": cites})], big)
    for path in big.glob("nodes_*.csv"):
        path.rename(folder / f"nodes_Big{path.name.removeprefix('nodes_')}")
    with _imported(tmp_path, folder) as imported:
        rows = imported.read("MATCH (s:Source {id: 'src-big'}) RETURN s.cites AS cites")
        assert rows[0]["cites"] == cites
        imported.write("MATCH (s:Source {id: 'src-big'}) DELETE s")
        assert canonical(imported) == canonical(seeded)


@pytest.mark.db
def test_markdown_answer_has_footnoted_sources_with_their_quotes(seeded: Database, server: ServerHandle) -> None:
    proc = run_kg("query", "run", "stop-orders", "-p", "agency=Toronto police", "--format", "markdown",
                  env=server.env())
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert text.startswith("## Stop orders\n\n| ")
    assert "Mark Saunders" in text and "[^1]" in text
    assert "[^1]: *Hamilton police tested controversial facial recognition technology Clearview AI*, CBC News" \
        in text or "[^1]: *Edmonton police officers used Clearview AI facial recognition technology*, CTV News" in text
    assert "    > \u201c" in text  # the quotes under their source
    everything = run_kg("query", "run-all", "--format", "markdown", "--out", str(Path(os.environ.get(
        "TMPDIR", "/tmp")) / f"kg-md-{secrets.token_hex(4)}"), env=server.env())
    assert everything.returncode == 0, everything.stderr
    ad_hoc = run_kg("cypher", "MATCH (a:PoliceAgency {id: 'eps'}) RETURN a.name AS name, a.sources AS sources",
                    "--format", "markdown", env=server.env())
    assert ad_hoc.stdout.startswith("| name | sources |\n| --- | --- |\n| Edmonton Police Service |")


def test_markdown_cells_are_literal_text() -> None:
    hostile = "<img src=x onerror=alert(1)> | [link](javascript:alert(1)) *bold*\nsecond line"
    text = to_markdown(["who", "quotes", "sources"], [{"who": hostile, "quotes": [hostile], "sources": ["s1"]}],
                       sources={"s1": {"title": "T", "url": "javascript:alert(1)"}})
    assert "<img" not in text and "&lt;img src=x onerror=alert(1)&gt; \\| \\[link\\](javascript:alert(1)) " \
        "\\*bold\\*<br>second line" in text
    assert "javascript:alert(1)>" not in text  # only http(s) URLs become links
    assert text.count("\n| ") == 2  # one header row, one data row: the line break did not end the row


@pytest.mark.db
def test_diff_groups_changes_by_source_and_fact(db: Database, tmp_path: Path) -> None:
    from kg.seed.loader import load
    from kg.seed.validate import validate

    seed_dir = tmp_path / "seed"
    shutil.copytree(ROOT / "seed", seed_dir)
    load(db, validate([seed_dir]), full=True)
    before = tmp_path / "before.jsonl"
    before.write_text("\n".join(canonical(db)) + "\n")
    ctv = seed_dir / "sources" / "ctv-edmonton-2020-02-28.yaml"
    ctv.write_text(ctv.read_text().replace("    officers: 3\n", "    officers: 4\n", 1))
    load(db, validate([seed_dir]), full=True)
    after = tmp_path / "after.jsonl"
    after.write_text("\n".join(canonical(db)) + "\n")
    proc = run_kg("diff", str(before), str(after), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert [(r["source"], r["change"], r["properties"]) for r in rows] == [(CTV, "changed", ["officers"])]
    assert "0 added, 1 changed, 0 removed" in proc.stderr
    same = run_kg("diff", str(before), str(before))
    assert same.returncode == 0 and "no differences" in same.stderr
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"node": ["Entity"], "id": "x"}\nnot json\n')
    bad = run_kg("diff", str(before), str(broken))
    assert bad.returncode == 1 and f"{broken}:2: not a line of `kg export`" in bad.stderr


@pytest.mark.db
def test_bad_export_requests_say_what_is_wrong_and_leave_nothing(seeded: Database, server: ServerHandle,
                                                                 tmp_path: Path) -> None:
    unknown = run_kg("export", "--format", "parquet", env=server.env())
    assert unknown.returncode == 2 and "'parquet' is not one of 'jsonl', 'graphml', 'gexf', 'csv', 'ftm', 'xlsx'" in (
        unknown.stderr)
    binary = run_kg("export", "--format", "xlsx", env=server.env())  # a workbook is not for a terminal
    assert binary.returncode == 2 and "the xlsx export writes a file: give --out FILE" in binary.stderr
    nowhere = run_kg("export", "--format", "graphml", "--out", str(tmp_path / "missing" / "g.graphml"),
                     env=server.env())
    assert nowhere.returncode == 1 and "does not exist" in nowhere.stderr and "Traceback" not in nowhere.stderr
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        denied = run_kg("export", "--format", "gexf", "--out", str(locked / "g.gexf"), env=server.env())
        if os.geteuid() != 0:  # root writes anywhere
            assert denied.returncode == 1 and "cannot write" in denied.stderr
    finally:
        locked.chmod(0o700)
    assert not any(p.name.endswith(".part") for p in tmp_path.rglob("*"))
    folder_needed = run_kg("export", "--format", "csv", env=server.env())
    assert folder_needed.returncode == 2 and "give --out FOLDER" in folder_needed.stderr


def test_dump_and_restore_round_trip_on_the_local_server(checkout_server: CheckoutServer, tmp_path: Path) -> None:
    """The checkout's server (`kg db up` in a state folder of its own): load the seed, dump, wipe,
    restore: the same graph."""
    server = checkout_server
    assert server.run("load").returncode == 0
    original = server.run("export").stdout
    dump = tmp_path / "kg.dump"
    dumped = server.run("db", "dump", str(dump))
    assert dumped.returncode == 0, dumped.stderr
    assert dump.stat().st_size > 1000 and "started the local server again" in dumped.stderr
    again = server.run("db", "dump", str(dump))
    assert again.returncode == 2 and "never overwrites" in again.stderr

    refused = server.run("db", "restore", str(dump))
    assert refused.returncode == 2 and "only with --force" in refused.stderr
    state = json.loads((server.state / "server.json").read_text())
    password = (server.state / "password").read_text().strip()
    with Database(Settings(uri=state["uri"], password=password)) as live:
        live.run_auto("MATCH (n) DETACH DELETE n")
    not_a_dump = tmp_path / "notes.txt"
    not_a_dump.write_text("not a dump\n")
    bad = server.run("db", "restore", str(not_a_dump))
    assert bad.returncode == 1 and "not a dump of this Neo4j version" in bad.stderr
    assert "the server was left as it was" in bad.stderr and "stopped" not in bad.stderr
    assert server.run("db", "status").returncode == 0  # the server is still up after a failure
    restored = server.run("db", "restore", str(dump))
    assert restored.returncode == 0, restored.stderr
    assert server.run("export").stdout == original
