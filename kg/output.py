"""The one output path: rows rendered as a table, JSON, CSV or Markdown on stdout.

`json` is a JSON array of row objects and nothing else; `csv` is RFC 4180 (CRLF line ends,
quoted where needed) with lists and maps written as JSON; `table` is a rich table for people;
`markdown` is a table a reporter can paste, with every cited source as a numbered footnote
holding its quotes (quotes are never cut in json, csv or markdown).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

FORMATS = ("table", "json", "csv", "markdown")


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


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#+!~])")


def _md(value: Any) -> str:
    """Untrusted text as literal Markdown inside a table cell: specials escaped, HTML neutralised,
    line breaks as <br> (the only tag kg writes)."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(_md(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{_md(k)}: {_md(v)}" for k, v in value.items())
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return "<br>".join(line.strip() for line in text.splitlines()) if "\n" in text else text


def _paired(row: Mapping[str, Any]) -> bool:
    quotes, sources = row.get("quotes"), row.get("sources")
    return isinstance(quotes, list) and isinstance(sources, list) and len(quotes) == len(sources)


def to_markdown(columns: Sequence[str], rows: Sequence[dict[str, Any]], title: str | None = None,
                sources: Mapping[str, Mapping[str, Any]] | None = None) -> str:
    """A Markdown table and, below it, each cited source as a footnote `[^n]` with its quotes.

    `sources` maps a source id to its details (title, publisher, published, url). Where a row's
    `quotes` and `sources` are parallel lists, its quotes go under their sources' footnotes and the
    table keeps a `sources` column of footnote marks; otherwise the quotes stay in the table."""
    sources = sources or {}
    paired = bool(rows) and "sources" in columns and "quotes" in columns and all(_paired(r) for r in rows)
    shown = [c for c in columns if not (paired and c == "quotes")]
    numbers: dict[str, int] = {}
    quotes: dict[str, list[str]] = {}

    def mark(source: Any) -> str:
        key = str(source)
        numbers.setdefault(key, len(numbers) + 1)
        return f"[^{numbers[key]}]"

    lines = [f"## {_md(title)}", ""] if title else []
    lines += ["| " + " | ".join(_md(c) for c in shown) + " |", "|" + " --- |" * len(shown)]
    for row in rows:
        cells = []
        for column in shown:
            value = row.get(column)
            if column == "sources" and isinstance(value, list):
                cells.append(" ".join(mark(s) for s in value))
            else:
                cells.append(_md(value))
        if paired:
            for source, quote in zip(row["sources"], row["quotes"], strict=True):
                seen = quotes.setdefault(str(source), [])
                if quote and quote not in seen:
                    seen.append(quote)
        lines.append("| " + " | ".join(cells) + " |")
    if numbers:
        lines.append("")
    for source, number in numbers.items():
        meta = sources.get(source, {})
        parts = [f"*{_md(meta['title'])}*" if meta.get("title") else _md(source)]
        parts += [_md(meta[k]) for k in ("publisher", "published") if meta.get(k)]
        url = f" <{meta['url']}>" if meta.get("url") and re.match(r"^https?://[^\s<>]+$", str(meta["url"])) else ""
        which = f" ({_md(source)})" if meta.get("title") else ""
        lines.append(f"[^{number}]: " + ", ".join(parts) + f"{which}.{url}")
        for quote in quotes.get(source, []):
            lines.append(f"    > \u201c{_md(quote)}\u201d")
    return "\n".join(lines) + "\n"


def render(columns: Sequence[str], rows: Sequence[dict[str, Any]], fmt: str, out: TextIO,
           title: str | None = None, sources: Mapping[str, Mapping[str, Any]] | None = None) -> None:
    if fmt == "json":
        out.write(to_json(rows) + "\n")
    elif fmt == "csv":
        out.write(to_csv(columns, rows))
    elif fmt == "markdown":
        out.write(to_markdown(columns, rows, title, sources))
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
