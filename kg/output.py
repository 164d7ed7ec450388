"""The one output path: rows rendered as a table, JSON or CSV on stdout.

`json` is a JSON array of row objects and nothing else; `csv` is RFC 4180 (CRLF line ends,
quoted where needed) with lists and maps written as JSON; `table` is a rich table for people.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any, TextIO

FORMATS = ("table", "json", "csv")


def to_json(rows: Sequence[dict[str, Any]]) -> str:
    return json.dumps(list(rows), indent=2, ensure_ascii=False, default=str)


def to_csv(columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(row.get(c)) for c in columns])
    return buffer.getvalue()


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def _table_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(_table_cell(v) for v in value)
    if isinstance(value, dict):
        return "\n".join(f"{k}: {_table_cell(v)}" for k, v in value.items())
    return str(value)


def render(columns: Sequence[str], rows: Sequence[dict[str, Any]], fmt: str, out: TextIO,
           title: str | None = None) -> None:
    if fmt == "json":
        out.write(to_json(rows) + "\n")
    elif fmt == "csv":
        out.write(to_csv(columns, rows))
    else:
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        table = Table(title=title, show_lines=True, expand=False)
        for column in columns:
            table.add_column(column, overflow="fold")
        for row in rows:
            # Text(), not markup: values are untrusted and must print as they are
            table.add_row(*(Text(_table_cell(row.get(c))) for c in columns))
        Console(file=out, width=max(100, min(220, Console().width))).print(table)
