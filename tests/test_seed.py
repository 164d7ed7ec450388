"""The curated seed and the loader, against a real Neo4j: concrete facts from the articles,
provenance on every fact, idempotence, and reloading an edited source."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.db import Database
from kg.entities import resolve_entity
from kg.errors import ValidationFailed
from kg.export import canonical
from kg.schema import PROVENANCE_RELS, REL_KINDS
from kg.seed import validate
from kg.seed.loader import load

from .conftest import ROOT, ServerHandle, run_kg

SEED = ROOT / "seed"
TEXTS = ROOT.parent / "shared" / "sources"
CTV = "src-ctv-edmonton-2020-02-28"
CBC = "src-cbc-hamilton-2020-02"

REQUIRED_ACTORS = {
    "PoliceAgency": ["eps", "hamilton-police", "halton-police", "niagara-police", "toronto-police", "rcmp"],
    "OversightBody": ["alberta-oipc", "ontario-ipc", "opc-canada", "bc-oipc", "quebec-cai", "ontario-mag"],
    "Person": ["jill-clayton", "brian-beamish", "warren-driechel", "frank-bergen", "ryan-anderson",
               "stephanie-sabourin", "mark-saunders", "meaghan-gray", "ann-cavoukian", "michael-arntfeld",
               "kelly-bennett"],
    "Vendor": ["clearview-ai"],
    "Product": ["clearview-app"],
    "Organization": ["twitter", "google", "instagram", "facebook", "new-york-times", "daily-beast", "cbc-news",
                     "ctv-news"],
}


def test_seed_validates_without_a_database() -> None:
    seed = validate([SEED])
    assert seed.counts()["sources"] == 2
    assert set(seed.sources) == {CTV, CBC}


def test_every_quote_is_verbatim_in_its_article_and_every_text_matches_its_pin() -> None:
    seed = validate([SEED], texts=TEXTS, strict=True)  # strict: a quote kg could not check is an error
    assert (seed.quotes_checked, seed.quotes_unchecked) == (150, 0)
    assert seed.sources[CTV].props["text_sha256"] == (
        "fef49bd506c04cf6937b6c3960ead7814d5eba626ee39273563703858f4ea435")


def test_kg_validate_cli_accepts_the_seed() -> None:
    proc = run_kg("validate")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.startswith("ok: 3 files, 2 sources")


@pytest.mark.db
def test_every_named_actor_is_loaded(seeded: Database) -> None:
    for label, ids in REQUIRED_ACTORS.items():
        found = {r["id"] for r in seeded.read(f"MATCH (n:{label}) RETURN n.id AS id")}
        assert set(ids) <= found, (label, set(ids) - found)


@pytest.mark.db
def test_eps_three_investigators_signed_up_in_december_2019_and_used_it_in_january(seeded: Database) -> None:
    access = seeded.read("MATCH (:Entity {id: 'eps'})-[r:HAD_ACCESS]->(:Product {id: 'clearview-app'}) "
                         "RETURN r.start AS start, r.start_precision AS precision, r.officers AS officers, "
                         "r.approved AS approved, r.sources AS sources")
    assert access == [{"start": "2019-12", "precision": "month", "officers": 3, "approved": False,
                       "sources": [CTV]}]
    used = seeded.read("MATCH (:Entity {id: 'eps'})-[r:USED {mode: 'operational'}]->(:Product {id: 'clearview-app'}) "
                       "RETURN r.start AS start, r.purpose AS purpose, r.quotes AS quotes")
    assert len(used) == 1
    assert used[0]["start"] == "2020-01"
    assert "auto theft" in used[0]["purpose"]
    assert any("auto theft investigation" in q for q in used[0]["quotes"])


@pytest.mark.db
def test_toronto_chief_ordered_the_stop_on_february_5(seeded: Database) -> None:
    rows = seeded.read("MATCH (p:Person)-[r:ORDERED_STOP]->(a:PoliceAgency {id: 'toronto-police'}) "
                       "RETURN p.id AS who, r.date AS date, r.date_precision AS precision, r.sources AS sources")
    assert rows == [{"who": "mark-saunders", "date": "2020-02-05", "precision": "day", "sources": [CBC]}]


@pytest.mark.db
def test_every_fact_cites_a_source_with_a_quote(seeded: Database) -> None:
    facts = sorted(REL_KINDS)
    bad = seeded.read(
        "MATCH ()-[r]->() WHERE type(r) IN $facts AND (r.sources IS NULL OR size(r.sources) = 0 "
        "OR size(r.quotes) <> size(r.sources) OR any(q IN r.quotes WHERE size(q) < 3) OR r.confidence IS NULL) "
        "RETURN type(r) AS type, r.key AS key", {"facts": facts})
    assert bad == []
    unreported = seeded.read("MATCH (n:Statement|Event|Investigation|Report|Figure) "
                             "WHERE NOT EXISTS { (:Source)-[:REPORTS]->(n) } RETURN n.id AS id")
    assert unreported == []
    # each source links to every entity its facts name
    missing = seeded.read(
        "MATCH (s:Source)-[:REPORTS]->(f)-[r]-(other:Entity) WHERE s.id IN r.sources "
        "AND NOT other:Source AND NOT EXISTS { (s)-[:MENTIONS]->(other) } RETURN s.id AS s, other.id AS o")
    assert missing == []
    assert {t for t in PROVENANCE_RELS} >= {"REPORTS", "MENTIONS", "PUBLISHED_BY"}


@pytest.mark.db
def test_a_fact_reported_by_both_articles_cites_both(seeded: Database) -> None:
    rows = seeded.read("MATCH (s:Source)-[rep:REPORTS]->(r:Report {id: 'rep-nyt-clearview-investigation'}) "
                       "RETURN s.id AS source, rep.quote AS quote ORDER BY source")
    assert [r["source"] for r in rows] == [CBC, CTV]
    assert rows[0]["quote"] != rows[1]["quote"]
    toronto = seeded.read("MATCH (:Entity {id: 'toronto-police'})-[r:USED]->() RETURN r.sources AS s")
    assert toronto == [{"s": [CBC, CTV]}]


@pytest.mark.db
def test_dates_keep_precision_and_the_words_as_written(seeded: Database) -> None:
    row = seeded.read("MATCH (e:Event {id: 'ev-eps-learns-of-use'}) RETURN e.date AS d, e.date_precision AS p, "
                      "e.date_as_written AS w")[0]
    assert row == {"d": "2020-02-27", "p": "day", "w": "on Thursday"}
    src = seeded.read(f"MATCH (s:Source {{id: '{CBC}'}}) RETURN s.published AS d, s.published_precision AS p")[0]
    assert src == {"d": "2020-02", "p": "month"}


@pytest.mark.db
@pytest.mark.parametrize("name", ["EPS", "Edmonton police", "Edmonton's police force", "the city force", "eps",
                                  "edmonton police service"])
def test_every_name_the_articles_use_finds_the_entity(seeded: Database, name: str) -> None:
    assert resolve_entity(seeded, name) == "eps"


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
    assert run_kg("export", env=env).stdout == export_one
    assert run_kg("stats", "--format", "json", env=env).stdout == stats_one


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
