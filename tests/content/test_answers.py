"""The curated content: what each named question answers on the seed graph, worked out from the two
articles' text (as of a date too). These tests change when the seed or the questions change; the
engine's tests (tests/*.py) do not depend on what the articles say."""

from __future__ import annotations

from typing import Any

import pytest

from kg.graph.db import Database
from kg.questions import run as queries
from kg.questions.catalogue import catalogue

CTV = "src-ctv-edmonton-2020-02-28"
CBC = "src-cbc-hamilton-2020-02"


def ask(db: Database, name: str, **args: object) -> list[dict[str, Any]]:
    return queries.run(db, name, args).rows


def results_of(db: Database, name: str, **args: object) -> queries.Results:
    return queries.run(db, name, args)


@pytest.mark.db
def test_agencies_learned_at_conferences(seeded: Database) -> None:
    rows = ask(seeded, "agencies-learned-at-conferences")
    assert {r["agency_id"] for r in rows} == {"eps", "hamilton-police"}
    by_agency = {r["agency_id"]: r for r in rows}
    assert by_agency["eps"]["kind"] == "conference" and by_agency["eps"]["named"] is False
    assert by_agency["hamilton-police"]["kind"] == "convention" and by_agency["hamilton-police"]["officers"] == 2
    assert by_agency["eps"]["sources"] == [CTV] and by_agency["hamilton-police"]["sources"] == [CBC]
    # the vendor's name reaches its product
    assert ask(seeded, "agencies-learned-at-conferences", tool="Clearview AI") == rows


@pytest.mark.db
def test_agencies_using_the_tool(seeded: Database) -> None:
    rows = ask(seeded, "agencies-using-tool")
    assert {r["agency_id"] for r in rows} == {"eps", "hamilton-police", "halton-police", "niagara-police",
                                              "toronto-police", "rcmp"}
    eps = [r for r in rows if r["agency_id"] == "eps"]
    assert {(r["relation"], r["how"], r.get("since")) for r in eps} == {
        ("HAD_ACCESS", "account", "2019-12"), ("USED", "operational", "2020-01"), ("USED", "test", None)}
    toronto = next(r for r in rows if r["agency_id"] == "toronto-police")
    assert toronto["since"] == "2019-10" and toronto["stopped"] is True
    assert any("Mark Saunders" in s and "2020-02-05" in s for s in toronto["stop_orders"])
    assert toronto["sources"] == [CBC, CTV]
    halton = next(r for r in rows if r["agency_id"] == "halton-police")
    assert halton["how"] == "free_trial" and halton["since"] == "2019-10"
    collectives = ask(seeded, "agencies-using-tool", collectives=True)
    assert "law-enforcement-agencies" in {r["agency_id"] for r in collectives}


@pytest.mark.db
def test_denied_then_admitted(seeded: Database) -> None:
    rows = ask(seeded, "denied-then-admitted")
    assert [r["agency_id"] for r in rows] == ["eps", "hamilton-police", "niagara-police", "toronto-police"]
    hamilton = rows[1]
    assert hamilton["denied_on"] == "2020-02-04"
    assert hamilton["admitted_by"] == ["Hamilton Police Service freedom of information branch"]
    eps = rows[0]
    assert eps["admitted_on"] == "2020-02-28" and eps["denied_as_written"] == "A week earlier"
    niagara = rows[2]
    assert niagara["denied_as_written"] == "on Thursday" and niagara["admitted_as_written"] == "Saturday"
    toronto = rows[3]
    assert toronto["denied_on"] == "2020-01" and toronto["admitted_on"] == "2020-02"
    for row in rows:
        assert row["denial_quotes"] and row["admission_quotes"] and row["sources"]


@pytest.mark.db
def test_investigations_of_clearview(seeded: Database) -> None:
    rows = ask(seeded, "investigations", subject="Clearview AI")
    commissioners = next(r for r in rows if r["kind"] == "investigation")
    assert sorted(commissioners["conducted_by"]) == [
        "Commission d'accès à l'information du Québec",
        "Office of the Information and Privacy Commissioner for British Columbia",
        "Office of the Information and Privacy Commissioner of Alberta",
        "Office of the Privacy Commissioner of Canada",
    ]
    assert commissioners["sources"] == [CTV]
    review = next(r for r in rows if r["kind"] == "review")
    assert review["awaited_by"] == ["Halton Regional Police Service"] and review["status"] == "pending"
    everything = ask(seeded, "investigations")
    assert len(everything) == 6
    into_eps = ask(seeded, "investigations", subject="EPS")
    assert {"Office of the Information and Privacy Commissioner of Alberta"} <= {
        b for r in into_eps for b in r["conducted_by"]}


@pytest.mark.db
def test_stop_orders(seeded: Database) -> None:
    toronto = ask(seeded, "stop-orders", agency="Toronto police")
    direct = [r for r in toronto if r["for_agency_id"] == "toronto-police"]
    assert [(r["ordered_by"], r["date"], r["kind"]) for r in direct] == [("Mark Saunders", "2020-02-05", "directive")]
    # Toronto is one of the Ontario police services the commissioner asked to stop
    assert {r["ordered_by_id"] for r in toronto} == {"mark-saunders", "ontario-ipc"}
    everything = ask(seeded, "stop-orders")
    assert ("Frank Bergen", "hamilton-police") in {(r["ordered_by"], r["for_agency_id"]) for r in everything}
    assert any(r["ordered_by_id"] == "ontario-ipc" and r["kind"] == "request" for r in everything)
    # Hamilton belongs to Ontario police services, whom the commissioner asked to stop
    assert any(r["ordered_by_id"] == "ontario-ipc" for r in ask(seeded, "stop-orders", agency="hamilton-police"))


@pytest.mark.db
def test_officials(seeded: Database) -> None:
    eps = ask(seeded, "officials", agency="EPS")
    assert ("Warren Driechel", "Supt.") in {(r["person"], r["title"]) for r in eps}
    everyone = ask(seeded, "officials")
    titles = {(r["person"], r["title"]) for r in everyone}
    assert ("Frank Bergen", "Deputy Chief") in titles and ("Ryan Anderson", "Const.") in titles
    assert ("Mark Saunders", "Chief") in titles and ("Jill Clayton", "Commissioner") in titles


@pytest.mark.db
def test_statements_by_a_speaker(seeded: Database) -> None:
    rows = ask(seeded, "statements", speaker="Frank Bergen")
    assert len(rows) >= 3
    assert all(r["sources"] == [CBC] and "Frank Bergen" in r["said_by"] for r in rows)
    assert any("cease and desist until further conversation" in " ".join(r["quotes"]) for r in rows)
    assert ask(seeded, "statements", speaker="instagram") == []


@pytest.mark.db
def test_timeline(seeded: Database) -> None:
    rows = ask(seeded, "timeline")
    dates = [r["date"] for r in rows]
    assert dates == sorted(dates)
    assert {"2019-10", "2019-12", "2020-01", "2020-02-04", "2020-02-05", "2020-02-27", "2020-02-28"} <= set(dates)
    assert all(r["precision"] in ("year", "month", "day") and r["sources"] for r in rows)
    hamilton = ask(seeded, "timeline", entity="Hamilton police")
    assert hamilton and all(r["date"].startswith(("2019", "2020")) for r in hamilton)
    assert "2020-02-04" in {r["date"] for r in hamilton}
    assert len(hamilton) < len(rows)


@pytest.mark.db
def test_entity_profile_and_sources_for(seeded: Database) -> None:
    profile = ask(seeded, "entity-profile", entity="Driechel")
    assert profile[0]["relation"] == "Person" and profile[0]["details"]["name"] == "Warren Driechel"
    assert any(r["relation"] == "HOLDS_ROLE" and r["details"].get("title") == "Supt." for r in profile)
    assert all(r["sources"] for r in profile)
    niagara = ask(seeded, "sources-for", entity="NRPS")
    assert {r["source"] for r in niagara} == {CBC}
    assert any("limited capacity" in r["quote"] for r in niagara)


@pytest.mark.db
def test_connection(seeded: Database) -> None:
    rows = ask(seeded, "connection", **{"from": "Ann Cavoukian", "to": "Clearview AI"})
    assert rows and rows[0]["hops"] >= 1
    assert all(link["sources"] and link["quote"] for r in rows for link in r["links"])
    assert rows[0]["chain"].startswith("Ann Cavoukian") and rows[0]["chain"].endswith("Clearview AI")


@pytest.mark.db
def test_oversight(seeded: Database) -> None:
    rows = {r["body_id"]: r for r in ask(seeded, "oversight")}
    assert "Edmonton Police Service" in rows["alberta-oipc"]["covers"]
    assert rows["alberta-oipc"]["investigations"]
    assert any("request" in s for s in rows["ontario-ipc"]["stop_requests"])
    # who heads or speaks for each body, with the words that tie them to it; former holders left out
    assert rows["ontario-ipc"]["heads"] == ["Information and Privacy Commissioner Brian Beamish"]
    assert rows["ontario-ipc"]["heads_quotes"] == [
        "said Information and Privacy Commissioner Brian Beamish in a statement"]
    assert rows["alberta-oipc"]["heads"] == ["Commissioner Jill Clayton"]
    assert rows["alberta-oipc"]["heads_quotes"] == ["Commissioner Jill Clayton wrote"]


@pytest.mark.db
def test_trial_access(seeded: Database) -> None:
    rows = ask(seeded, "trial-access")
    assert {r["agency_id"] for r in rows} == {"hamilton-police", "halton-police", "niagara-police"}
    hamilton = next(r for r in rows if r["agency_id"] == "hamilton-police")
    assert hamilton["through"] == ["[unnamed law enforcement convention attended by Hamilton officers]"]
    assert hamilton["officers"] == 2


@pytest.mark.db
def test_unapproved_use(seeded: Database) -> None:
    rows = ask(seeded, "unapproved-use")
    assert {r["agency_id"]: r.get("unapproved", False) for r in rows} == {"eps": True, "toronto-police": False}
    toronto = next(r for r in rows if r["agency_id"] == "toronto-police")
    assert any("2020-02-05" in x for x in toronto["learned_of_it"])


@pytest.mark.db
def test_figures(seeded: Database) -> None:
    rows = ask(seeded, "figures")
    three_billion = next(r for r in rows if r["value"] == 3_000_000_000)
    assert three_billion["unit"] == "images" and three_billion["qualifier"] == "estimate"
    assert "The New York Times" in " ".join(three_billion["reported_by"]) or three_billion["reported_by"]


@pytest.mark.db
def test_every_answer_names_its_sources(seeded: Database) -> None:
    for name, query in catalogue().items():
        rows = queries.run(seeded, query, query.example_args()).rows
        assert rows, f"{name} answered nothing with its example"
        assert all(r.get("sources") or r.get("source") for r in rows), name



# --- as of a date -----------------------------------------------------------------------------------

@pytest.mark.db
def test_agencies_using_the_tool_as_of_november_2019(seeded: Database) -> None:
    # Toronto and Halton from October 2019; Edmonton only from December 2019
    answer = results_of(seeded, "agencies-using-tool", as_of="2019-11")
    assert {(r["agency_id"], r["as_of"]) for r in answer.rows} == {("toronto-police", "certain"),
                                                                    ("halton-police", "certain")}
    assert not any(r["stopped"] for r in answer.rows)  # Toronto's chief stopped it only in February 2020
    assert any("undated" in n and "left out" in n for n in answer.notes)
    # mid-October, an October start is only possible; at the end of 2019 Edmonton is in, certainly
    assert {r["as_of"] for r in results_of(seeded, "agencies-using-tool", as_of="2019-10-15").rows} == {"possible"}
    late = {r["agency_id"]: r for r in results_of(seeded, "agencies-using-tool", as_of="2019").rows}
    assert set(late) == {"toronto-police", "halton-police", "eps"} and late["eps"]["as_of"] == "certain"
    # without a date: every agency, and no as_of column
    everything = results_of(seeded, "agencies-using-tool")
    assert "as_of" not in everything.columns and not everything.notes
    assert {"eps", "rcmp", "toronto-police", "halton-police"} <= {r["agency_id"] for r in everything.rows}
    assert any(r["stopped"] for r in everything.rows if r["agency_id"] == "toronto-police")


@pytest.mark.db
def test_denied_then_admitted_as_of(seeded: Database) -> None:
    # in January 2020 Toronto had denied and not yet admitted; nobody else had denied yet
    rows = results_of(seeded, "denied-then-admitted", as_of="2020-01").rows
    assert [(r["agency_id"], r["admitted_as_of"]) for r in rows] == [("toronto-police", "not yet")]
    assert "admission" not in rows[0] and "admitted_on" not in rows[0]
    # by the article's day everything is on record
    done = {r["agency_id"]: r for r in results_of(seeded, "denied-then-admitted", as_of="2020-02-28").rows}
    assert set(done) == {"eps", "hamilton-police", "niagara-police", "toronto-police"}
    assert done["eps"]["admitted_as_of"] == "certain" and done["hamilton-police"]["as_of"] == "certain"


@pytest.mark.db
def test_investigations_as_of_and_their_heads(seeded: Database) -> None:
    rows = {r["investigation"]: r for r in results_of(seeded, "investigations", subject="eps").rows}
    alberta = next(r for name, r in rows.items() if name.startswith("Alberta privacy commissioner"))
    assert alberta["heads"] == [
        "Commissioner Jill Clayton (Office of the Information and Privacy Commissioner of Alberta)"]
    assert alberta["heads_quotes"] == ["Commissioner Jill Clayton wrote"]
    assert alberta["opened"] == "2020-02" and alberta["status"] == "launched"
    # mid-February: opened (possibly), its status reported only on the 28th
    mid = results_of(seeded, "investigations", subject="eps", as_of="2020-02-15").rows
    assert [(r["as_of"], r["status"]) for r in mid] == [("possible", "opened; status not yet reported")]
    # a month before: none
    assert results_of(seeded, "investigations", as_of="2020-01").rows == []


@pytest.mark.db
def test_stop_orders_statements_and_trial_access_as_of(seeded: Database) -> None:
    stops = results_of(seeded, "stop-orders", as_of="2020-02-05").rows
    assert ("toronto-police", "certain") in {(r["for_agency_id"], r["as_of"]) for r in stops}
    assert all(r["as_of"] in ("certain", "possible") for r in stops)
    assert results_of(seeded, "stop-orders", as_of="2020-01").rows == []
    said = results_of(seeded, "statements", speaker="toronto-police", as_of="2020-01").rows
    assert [r["stance"] for r in said] == ["denial"]
    trial = results_of(seeded, "trial-access", as_of="2019-11")
    assert [r["agency_id"] for r in trial.rows] == ["halton-police"]
    assert trial.notes  # Hamilton's and Niagara's trials carry no date


@pytest.mark.db
def test_timeline_between_two_dates(seeded: Database) -> None:
    rows = results_of(seeded, "timeline", **{"from": "2020-02-05", "to": "2020-02-05"}).rows
    certain = [r for r in rows if r["as_of"] == "certain"]
    assert [r["date"] for r in certain] == ["2020-02-05"] * len(certain) and certain
    assert {r["as_of"] for r in rows if r["date"] != "2020-02-05"} == {"possible"}  # February, 2020
    assert all(r["date"] <= "2020-02-28" for r in results_of(seeded, "timeline", to="2020-02").rows)
    assert "2019-10" not in {r["date"] for r in results_of(seeded, "timeline", **{"from": "2020"}).rows}


@pytest.mark.db
def test_oversight_as_of(seeded: Database) -> None:
    # mid-February 2020: the Ontario and Alberta offices had spoken (in February: possibly by then);
    # the joint investigation of Clearview, first reported on the 28th, was not yet known
    rows = {r["body_id"]: r for r in results_of(seeded, "oversight", as_of="2020-02-15").rows}
    assert {"ontario-ipc", "alberta-oipc"} <= set(rows) and "opc-canada" not in rows
    assert {r["as_of"] for r in rows.values()} == {"possible"}
    assert all(s.endswith("(possibly)") for s in rows["alberta-oipc"]["statements"])
    assert not any("Clearview" in i for i in rows["alberta-oipc"]["investigations"])
    # at the article's date every body is in, and the joint investigation with it
    late = {r["body_id"]: r for r in results_of(seeded, "oversight", as_of="2020-02-28").rows}
    assert "opc-canada" in late and late["opc-canada"]["as_of"] == "certain"
    assert results_of(seeded, "oversight", as_of="2019").rows == []
