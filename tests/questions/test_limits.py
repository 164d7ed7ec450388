"""Listing questions take a `limit`: an answer cut short says so (`Results.truncated`, a note on
stderr or under a Markdown table), a limit is a positive whole number, and a limit counts the rows
kept after the undated ones are left out of an answer at a date (kg/questions/run.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.errors import UsageError
from kg.graph.db import Database
from kg.questions import run as queries
from kg.questions.catalogue import DEFAULT_LIMIT, catalogue, get
from tests.conftest import ServerHandle, run_kg


def test_every_listing_question_declares_a_limit_with_a_positive_default() -> None:
    for name, query in catalogue().items():
        assert query.limit is not None, name
        assert query.limit.type == "int" and not query.limit.required, name
        # chains of facts: ten are plenty; a body of oversight is a long row (all it did): twenty a page
        expected = {"connection": 10, "oversight": 20}.get(name, DEFAULT_LIMIT)
        assert query.limit.default == expected, name
        assert query.check() == [], name


@pytest.mark.parametrize("raw", ["0", "-3", "many", "2.5", "", 0, -1, True])
def test_a_limit_that_is_no_positive_whole_number_is_refused(raw: object) -> None:
    from kg.questions.params import bind

    with pytest.raises(UsageError, match=r"parameter 'limit' expects int \(a positive whole number of rows\)"):
        bind(get("officials"), {"limit": raw})


def test_a_limit_binds_as_a_number_and_defaults_to_the_declared_one() -> None:
    from kg.questions.params import bind

    assert bind(get("officials"), {"limit": "7"})["limit"] == 7
    assert bind(get("officials"), {"limit": 7})["limit"] == 7
    assert bind(get("officials"), {})["limit"] == DEFAULT_LIMIT


@pytest.mark.db
def test_a_limit_cuts_the_answer_and_says_so(seeded: Database) -> None:
    full = queries.run(seeded, "officials")
    assert not full.truncated and not any("more exist" in n for n in full.notes)
    assert len(full.rows) > 3
    cut = queries.run(seeded, "officials", {"limit": 3})
    assert cut.rows == full.rows[:3] and cut.truncated
    assert cut.notes == ["showing the first 3 rows; more exist: give -p limit=30 (or more) to see more"]
    exact = queries.run(seeded, "officials", {"limit": len(full.rows)})
    assert exact.rows == full.rows and not exact.truncated and exact.notes == []


@pytest.mark.db
def test_a_limit_counts_the_rows_kept_at_a_date(seeded: Database) -> None:
    """Asked at a date, undated rows are left out after the Cypher: every limit gives the first rows
    of the whole answer, cut exactly when more exist, however the undated rows fall among them."""
    checked = 0
    for name, query in catalogue().items():
        if "as_of" not in query.params:
            continue
        args = {**query.example_args(), "as_of": str(query.params["as_of"].example)}
        whole = queries.run(seeded, query, {**args, "limit": 10_000})
        assert not whole.truncated, name
        for limit in range(1, len(whole.rows) + 2):
            got = queries.run(seeded, query, {**args, "limit": limit})
            assert got.rows == whole.rows[:limit], (name, limit)
            assert got.truncated == (limit < len(whole.rows)), (name, limit)
            assert all(r.get("as_of") != "undated" for r in got.rows), (name, limit)
            if got.truncated:
                assert any(n.startswith(f"showing the first {limit} rows") for n in got.notes), (name, limit)
                assert not any("undated" in n and "among these rows" not in n for n in got.notes), (name, limit)
        checked += 1
    assert checked >= 5


# --- the command line ----------------------------------------------------------------------------------

@pytest.mark.db
def test_the_cli_says_on_stderr_when_rows_were_cut(seeded: Database, server: ServerHandle) -> None:
    proc = run_kg("query", "run", "officials", "-p", "limit=2", "--format", "json", env=server.env())
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)) == 2  # clean data on stdout
    assert "showing the first 2 rows; more exist: give -p limit=20" in proc.stderr
    whole = run_kg("query", "run", "officials", "--format", "json", env=server.env())
    assert "more exist" not in whole.stderr
    markdown = run_kg("query", "run", "officials", "-p", "limit=2", "--format", "markdown", env=server.env())
    assert "showing the first 2 rows; more exist" in markdown.stdout


@pytest.mark.db
@pytest.mark.parametrize("value", ["0", "-1", "ten"])
def test_the_cli_refuses_a_bad_limit(seeded: Database, server: ServerHandle, value: str) -> None:
    proc = run_kg("query", "run", "officials", "-p", f"limit={value}", env=server.env())
    assert proc.returncode == 2 and proc.stdout == ""
    assert "parameter 'limit' expects int (a positive whole number of rows)" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_show_and_list_give_the_default_limit() -> None:
    shown = run_kg("query", "show", "officials")
    assert shown.returncode == 0
    assert f"limit: {{type: int, default: {DEFAULT_LIMIT}" in shown.stdout and "LIMIT $limit" in shown.stdout
    listed = run_kg("query", "list", "--format", "json")
    officials = next(q for q in json.loads(listed.stdout) if q["name"] == "officials")
    assert f"limit: int = {DEFAULT_LIMIT}" in officials["params"]


# --- a small graph of its own (last: the `db` fixture empties the graph `seeded` loaded) -------------

@pytest.mark.db
def test_undated_rows_before_the_cut_are_counted_and_the_limit_is_filled(db: Database, tmp_path: Path) -> None:
    """A small graph whose first rows (by name) are undated: a limit of 2 at a date still shows two
    dated rows (kg asks the Cypher again for more), and the note counts the undated rows before them."""
    from kg.seed.loader import load
    from kg.seed.validate import validate

    _small_seed(tmp_path)
    load(db, validate([tmp_path]))
    args = {"tool": "tool", "as_of": "2020-03"}
    whole = queries.run(db, "agencies-using-tool", args)
    assert [r["agency"] for r in whole.rows] == ["D police", "E police", "F police"] and not whole.truncated
    assert whole.notes == ["3 undated facts left out (as_of 2020-03)"]
    got = queries.run(db, "agencies-using-tool", {**args, "limit": 2})
    assert [r["agency"] for r in got.rows] == ["D police", "E police"] and got.truncated
    assert got.notes == ["showing the first 2 rows; more exist: give -p limit=20 (or more) to see more",
                         "3 undated facts left out among these rows (as_of 2020-03)"]
    last = queries.run(db, "agencies-using-tool", {**args, "limit": 3})
    assert last.rows == whole.rows and not last.truncated and last.notes == whole.notes
    # with no date asked, undated rows are rows like any other
    plain = queries.run(db, "agencies-using-tool", {"tool": "tool", "limit": 4})
    assert [r["agency"] for r in plain.rows] == ["A police", "B police", "C police", "D police"] and plain.truncated


def _small_seed(folder: Path) -> None:
    """A tool used by six agencies: from 2020-02 by D, E and F, from no known date by A, B and C."""
    actors: list[dict[str, str]] = [{"id": "tool", "label": "Product", "name": "The tool"},
                                    {"id": "outlet", "label": "Organization", "name": "The outlet"}]
    actors += [{"id": f"{x.lower()}-police", "label": "PoliceAgency", "name": f"{x} police"} for x in "ABCDEF"]
    (folder / "actors").mkdir()
    (folder / "actors" / "actors.yaml").write_text(json.dumps({"actors": actors}), encoding="utf-8")
    relations = [{"type": "USED", "from": f"{x.lower()}-police", "to": "tool", "mode": "trial",
                  **({"start": f"2020-02-0{i}"} if x in "DEF" else {}), "quote": "used it", "confidence": "high"}
                 for i, x in enumerate("ABCDEF", 1)]
    (folder / "sources").mkdir()
    (folder / "sources" / "s.yaml").write_text(json.dumps({
        "source": {"id": "src-small", "title": "Small", "publisher": "outlet", "published": "2020-03-01"},
        "relations": relations}), encoding="utf-8")
