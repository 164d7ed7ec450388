"""Standing at a date: kg/graph/when.py's rule at its edges (year, month and day precisions; the start and
the end of a period), and the same rule in Cypher on a real server. (What the as-of questions answer
on the curated seed: tests/content/test_answers.py.)"""

from __future__ import annotations

import json
from itertools import product

import pytest

from kg.graph import when
from kg.graph.db import Database
from kg.questions.catalogue import get
from tests.conftest import ServerHandle, run_kg

CTV = "src-ctv-edmonton-2020-02-28"


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
def test_the_cli_prints_notes_apart_from_the_data(seeded: Database, server: ServerHandle) -> None:
    proc = run_kg("query", "run", "agencies-using-tool", "-p", "as_of=2019-11", "--format", "json", env=server.env())
    assert proc.returncode == 0, proc.stderr
    assert {r["agency_id"] for r in json.loads(proc.stdout)} == {"toronto-police", "halton-police"}
    assert "note: " in proc.stderr and "undated" in proc.stderr
    bad = run_kg("query", "run", "agencies-using-tool", "-p", "as_of=November", env=server.env())
    assert bad.returncode == 2 and "as_of" in bad.stderr and "Traceback" not in bad.stderr


