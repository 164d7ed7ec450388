"""The curated seed itself: it validates, every quote is verbatim in its article, and the facts the
articles report are in the graph with their sources, dates and names."""

from __future__ import annotations

import pytest

from kg.graph.db import Database
from kg.graph.schema import PROVENANCE_RELS, REL_KINDS
from kg.questions.entities import resolve_entity
from kg.seed.validate import validate

from ..conftest import ROOT, run_kg

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


