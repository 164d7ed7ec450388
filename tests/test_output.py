"""Answers a person can read: the table fits the width it is given, falls back to one block per row
when it cannot, and only the table ever shortens a value (no database needed)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from kg.output import CELL_LIMIT, render, select

QUOTE = "Toronto police admitted last week that some officers began using the tool in October " * 5
ROWS = [{"investigation": f"Investigation number {i} into something long-winded", "kind": "review",
         "conducted_by": ["Office of the Information and Privacy Commissioner of Alberta"], "into": ["EPS"],
         "about": "whether EPS is complying with public sector privacy laws", "status": "launched",
         "awaited_by": [], "quotes": [QUOTE], "sources": ["src-ctv-edmonton-2020-02-28"]} for i in range(2)]
COLUMNS = list(ROWS[0])


def shown(fmt: str, columns: list[str] = COLUMNS, rows: list[dict[str, Any]] = ROWS, width: int = 100) -> str:
    out = io.StringIO()
    render(columns, rows, fmt, out, title="Investigations", width=width)
    return out.getvalue()


def test_nine_columns_in_100_characters_become_records() -> None:
    text = shown("table")
    assert "\u2500\u2500 1 of 2 " in text and "\u2500\u2500 2 of 2 " in text
    assert "\u2503" not in text  # no table borders
    assert all(len(line) <= 100 for line in text.splitlines())
    # every column on its own line, the label first; the whole quote is there, wrapped
    assert any(line.startswith("investigation ") for line in text.splitlines())
    assert " ".join(text.split()).count(" ".join(QUOTE.split())) == 2


def test_a_table_that_fits_stays_a_table_and_shortens_long_cells() -> None:
    text = shown("table", ["status", "quotes"], width=100)
    assert "\u2503 status" in text and "\u2026" in text
    assert all(len(line) <= 100 for line in text.splitlines())
    flat = "".join(ch for ch in text if ch.isalnum())
    assert "".join(ch for ch in QUOTE if ch.isalnum())[:CELL_LIMIT - 40] in flat
    assert "".join(ch for ch in QUOTE if ch.isalnum()) not in flat  # shortened


def test_records_on_request_and_a_wide_terminal() -> None:
    assert "\u2500\u2500 1 of 2 " in shown("records", ["status"], width=200)
    assert "\u2503" in shown("table", width=400)  # wide enough: a table


@pytest.mark.parametrize("fmt", ["json", "csv", "markdown", "records"])
def test_quotes_are_never_cut_outside_the_table(fmt: str) -> None:
    text = shown(fmt)
    if fmt == "json":
        assert json.loads(text)[0]["quotes"] == [QUOTE]
    else:
        assert " ".join(QUOTE.split()) in " ".join(text.replace("\\", "").split())


def test_control_characters_from_the_data_do_not_reach_the_terminal() -> None:
    rows = [{"name": "evil\x1b[2J\x1b]0;title\x07name", "n": 1}]
    for fmt in ("table", "records"):
        text = shown(fmt, ["name", "n"], rows)
        assert "\x1b" not in text and "\x07" not in text and "evil?[2J" in text


def test_columns_picks_and_orders_and_names_the_unknown() -> None:
    columns, rows = select(COLUMNS, ROWS, ["status", "kind"])
    assert columns == ["status", "kind"] and rows[0] == {"status": "launched", "kind": "review"}
    with pytest.raises(ValueError, match="no column 'nope'; the columns are investigation, kind"):
        select(COLUMNS, ROWS, ["status", "nope"])
