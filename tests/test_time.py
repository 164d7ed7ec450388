"""Standing at a date: kg/when.py's rule at its edges (year, month and day precisions; the start and
the end of a period), the same rule in Cypher on a real server, and the as-of questions' answers."""

from __future__ import annotations

import json
from itertools import product

import pytest

from kg import queries, when
from kg.catalogue import get
from kg.db import Database

from .conftest import ServerHandle, run_kg

CTV = "src-ctv-edmonton-2020-02-28"


def ask(db: Database, name: str, **args: object) -> queries.Results:
    return queries.run(db, name, args)


# --- the rule, in Python ---------------------------------------------------------------------------

@pytest.mark.parametrize("date,as_of,expected", [
    # a month, asked at a later month, the same month, a day inside it, the day before, a year
    ("2019-10", "2019-11", "certain"), ("2019-10", "2019-10", "certain"), ("2019-10", "2019-10-15", "possible"),
    ("2019-10", "2019-10-31", "possible"), ("2019-10", "2019-09-30", "later"), ("2019-10", "2019", "certain"),
    ("2019-10", "2018", "later"),
    # a day: at its own day, the day before, its month, the month before
    ("2019-10-15", "2019-10-15", "certain"), ("2019-10-15", "2019-10-14", "later"),
    ("2019-10-15", "2019-10", "certain"), ("2019-10-15", "2019-09", "later"),
    # a year: at its own year, a month or day inside it, the year before
    ("2019", "2019", "certain"), ("2019", "2019-11", "possible"), ("2019", "2019-01-01", "possible"),
    ("2019", "2018-12-31", "later"), ("2019", "2020-01", "certain"),
    (None, "2019", "undated"), ("2019", None, None),
])
def test_as_of_at_the_edges(date: str | None, as_of: str | None, expected: str | None) -> None:
    assert when.as_of(date, as_of) == expected


@pytest.mark.parametrize("date,start,end,expected", [
    ("2020-02", "2020-02", "2020-02", "certain"), ("2020-02", "2020-02-05", None, "possible"),
    ("2020-02", None, "2020-02-15", "possible"), ("2020-02", "2020-03", None, "outside"),
    ("2020-02", None, "2020-01-31", "outside"), ("2020-02-05", "2020-02", "2020-02-05", "certain"),
    ("2020-02-05", "2020-02-06", None, "outside"), ("2020", "2020-02", "2020-03", "possible"),
    ("2020-02-28", "2020", None, "certain"), (None, "2020", None, "undated"), ("2020", None, None, None),
])
def test_between_at_the_edges(date: str | None, start: str | None, end: str | None, expected: str | None) -> None:
    assert when.between(date, start, end) == expected


def test_the_macro_expands_to_plain_cypher_and_refuses_an_unclosed_call() -> None:
    text = when.expand("RETURN kg.as_of(coalesce(r.date, ')')) AS a, kg.between(n.date) AS b")
    assert "kg." not in text and "$as_of" in text and "$from" in text and "$to" in text
    with pytest.raises(ValueError, match="not closed"):
        when.expand("RETURN kg.as_of(r.date AS a")
    query = get("agencies-using-tool")
    assert "kg.as_of(" in query.written and "kg.as_of(" not in query.cypher


GRID = ["2019", "2019-10", "2019-10-01", "2019-10-15", "2019-10-31", "2019-11", "2019-12-31", "2020", "2020-02-29"]


@pytest.mark.db
def test_cypher_and_python_agree_on_every_pair(db: Database) -> None:
    cypher = ("UNWIND $pairs AS p WITH p[0] AS d, p[1] AS a, p[2] AS f, p[3] AS t "
              "CALL (d, a) { WITH d, a AS as_of RETURN " + when.cypher_as_of("d", "as_of") + " AS got } "
              "CALL (d, f, t) { RETURN " + when.cypher_between("d", "f", "t") + " AS span } "
              "RETURN d, a, f, t, got, span")
    dates: list[str | None] = [*GRID, None]
    pairs = [[d, a, a, t] for d, a, t in product(dates, GRID, [None, *GRID[::3]])]
    rows = db.read(cypher, {"pairs": pairs})
    assert len(rows) == len(pairs)
    for r in rows:
        assert r["got"] == when.as_of(r["d"], r["a"]), r
        assert r["span"] == when.between(r["d"], r["f"], r["t"]), r


# --- the questions, as of a date --------------------------------------------------------------------

@pytest.mark.db
def test_agencies_using_the_tool_as_of_november_2019(seeded: Database) -> None:
    # Toronto and Halton from October 2019; Edmonton only from December 2019
    answer = ask(seeded, "agencies-using-tool", as_of="2019-11")
    assert {(r["agency_id"], r["as_of"]) for r in answer.rows} == {("toronto-police", "certain"),
                                                                    ("halton-police", "certain")}
    assert not any(r["stopped"] for r in answer.rows)  # Toronto's chief stopped it only in February 2020
    assert any("undated" in n and "left out" in n for n in answer.notes)
    # mid-October, an October start is only possible; at the end of 2019 Edmonton is in, certainly
    assert {r["as_of"] for r in ask(seeded, "agencies-using-tool", as_of="2019-10-15").rows} == {"possible"}
    late = {r["agency_id"]: r for r in ask(seeded, "agencies-using-tool", as_of="2019").rows}
    assert set(late) == {"toronto-police", "halton-police", "eps"} and late["eps"]["as_of"] == "certain"
    # without a date: every agency, and no as_of column
    everything = ask(seeded, "agencies-using-tool")
    assert "as_of" not in everything.columns and not everything.notes
    assert {"eps", "rcmp", "toronto-police", "halton-police"} <= {r["agency_id"] for r in everything.rows}
    assert any(r["stopped"] for r in everything.rows if r["agency_id"] == "toronto-police")


@pytest.mark.db
def test_denied_then_admitted_as_of(seeded: Database) -> None:
    # in January 2020 Toronto had denied and not yet admitted; nobody else had denied yet
    rows = ask(seeded, "denied-then-admitted", as_of="2020-01").rows
    assert [(r["agency_id"], r["admitted_as_of"]) for r in rows] == [("toronto-police", "not yet")]
    assert "admission" not in rows[0] and "admitted_on" not in rows[0]
    # by the article's day everything is on record
    done = {r["agency_id"]: r for r in ask(seeded, "denied-then-admitted", as_of="2020-02-28").rows}
    assert set(done) == {"eps", "hamilton-police", "niagara-police", "toronto-police"}
    assert done["eps"]["admitted_as_of"] == "certain" and done["hamilton-police"]["as_of"] == "certain"


@pytest.mark.db
def test_investigations_as_of_and_their_heads(seeded: Database) -> None:
    rows = {r["investigation"]: r for r in ask(seeded, "investigations", subject="eps").rows}
    alberta = next(r for name, r in rows.items() if name.startswith("Alberta privacy commissioner"))
    assert alberta["heads"] == [
        "Commissioner Jill Clayton (Office of the Information and Privacy Commissioner of Alberta)"]
    assert alberta["heads_quotes"] == ["Commissioner Jill Clayton wrote"]
    assert alberta["opened"] == "2020-02" and alberta["status"] == "launched"
    # mid-February: opened (possibly), its status reported only on the 28th
    mid = ask(seeded, "investigations", subject="eps", as_of="2020-02-15").rows
    assert [(r["as_of"], r["status"]) for r in mid] == [("possible", "opened; status not yet reported")]
    # a month before: none
    assert ask(seeded, "investigations", as_of="2020-01").rows == []


@pytest.mark.db
def test_stop_orders_statements_and_trial_access_as_of(seeded: Database) -> None:
    stops = ask(seeded, "stop-orders", as_of="2020-02-05").rows
    assert ("toronto-police", "certain") in {(r["for_agency_id"], r["as_of"]) for r in stops}
    assert all(r["as_of"] in ("certain", "possible") for r in stops)
    assert ask(seeded, "stop-orders", as_of="2020-01").rows == []
    said = ask(seeded, "statements", speaker="toronto-police", as_of="2020-01").rows
    assert [r["stance"] for r in said] == ["denial"]
    trial = ask(seeded, "trial-access", as_of="2019-11")
    assert [r["agency_id"] for r in trial.rows] == ["halton-police"]
    assert trial.notes  # Hamilton's and Niagara's trials carry no date


@pytest.mark.db
def test_timeline_between_two_dates(seeded: Database) -> None:
    rows = ask(seeded, "timeline", **{"from": "2020-02-05", "to": "2020-02-05"}).rows
    certain = [r for r in rows if r["as_of"] == "certain"]
    assert [r["date"] for r in certain] == ["2020-02-05"] * len(certain) and certain
    assert {r["as_of"] for r in rows if r["date"] != "2020-02-05"} == {"possible"}  # February, 2020
    assert all(r["date"] <= "2020-02-28" for r in ask(seeded, "timeline", to="2020-02").rows)
    assert "2019-10" not in {r["date"] for r in ask(seeded, "timeline", **{"from": "2020"}).rows}


@pytest.mark.db
def test_the_cli_prints_notes_apart_from_the_data(seeded: Database, server: ServerHandle) -> None:
    proc = run_kg("query", "run", "agencies-using-tool", "-p", "as_of=2019-11", "--format", "json", env=server.env())
    assert proc.returncode == 0, proc.stderr
    assert {r["agency_id"] for r in json.loads(proc.stdout)} == {"toronto-police", "halton-police"}
    assert "note: " in proc.stderr and "undated" in proc.stderr
    bad = run_kg("query", "run", "agencies-using-tool", "-p", "as_of=November", env=server.env())
    assert bad.returncode == 2 and "as_of" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.db
def test_oversight_as_of(seeded: Database) -> None:
    # mid-February 2020: the Ontario and Alberta offices had spoken (in February: possibly by then);
    # the joint investigation of Clearview, first reported on the 28th, was not yet known
    rows = {r["body_id"]: r for r in ask(seeded, "oversight", as_of="2020-02-15").rows}
    assert {"ontario-ipc", "alberta-oipc"} <= set(rows) and "opc-canada" not in rows
    assert {r["as_of"] for r in rows.values()} == {"possible"}
    assert all(s.endswith("(possibly)") for s in rows["alberta-oipc"]["statements"])
    assert not any("Clearview" in i for i in rows["alberta-oipc"]["investigations"])
    # at the article's date every body is in, and the joint investigation with it
    late = {r["body_id"]: r for r in ask(seeded, "oversight", as_of="2020-02-28").rows}
    assert "opc-canada" in late and late["opc-canada"]["as_of"] == "certain"
    assert ask(seeded, "oversight", as_of="2019").rows == []
