"""The one output path: rows rendered as a table, JSON, CSV or Markdown on stdout.

`json` is a JSON array of row objects and nothing else; `csv` is RFC 4180 (CRLF line ends,
quoted where needed) with lists and maps written as JSON; `table` is a rich table for people;
`markdown` is a table a reporter can paste, with every cited source as a numbered footnote
holding its quotes (quotes are never cut in json, csv, markdown or records).

`table` fits the terminal (its width, or COLUMNS, else 100): long cells wrap, and cells longer
than `CELL_LIMIT` characters are shortened with an ellipsis; when the columns cannot all get a
readable width, it falls back to `records`, one block per row and one line per column, which
cuts nothing.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

# csv, json, shutil and textwrap are imported where they are used: `kg --help` reads FORMATS
# from here (the CLI's choices) and needs none of them

FORMATS = ("table", "records", "json", "csv", "markdown")
#: the formats of answer files (`kg query run-all`), and their file suffixes
ANSWER_SUFFIXES = {"json": "json", "csv": "csv", "markdown": "md"}
CELL_LIMIT = 240  # characters of one table cell; longer ones end in an ellipsis (table only)
LIST_LIMIT = 6    # items of a list shown in one table cell
MIN_WIDTH = 12    # the narrowest a column may be before a table becomes records
WORD_LIMIT = 32   # a word (an id, a name) up to this long is not broken inside a table cell
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def to_json(rows: Sequence[dict[str, Any]]) -> str:
    import json

    return json.dumps(list(rows), indent=2, ensure_ascii=False, default=str)


def to_csv(columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> str:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(row.get(c)) for c in columns])
    return buffer.getvalue()


def _csv_cell(value: Any) -> Any:
    import json

    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def _plain(value: Any) -> str:
    """A value as terminal text: lists one item per line, maps `key: value`, control characters
    (escape sequences from untrusted text) shown as `?`."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return "\n".join(f"{k}: {_plain(v)}" for k, v in value.items())
    return _CONTROL.sub("?", str(value))


def _short(text: str, limit: int = CELL_LIMIT) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "\u2026"


def _table_cell(value: Any) -> str:
    """A cell for the table layout: long texts and lists shortened, with an ellipsis."""
    if isinstance(value, list):
        shown = [_short(_plain(v)) for v in value[:LIST_LIMIT]]
        if len(value) > LIST_LIMIT:
            shown.append(f"\u2026 ({len(value) - LIST_LIMIT} more)")
        return "\n".join(shown)
    return _short(_plain(value))


def terminal_width() -> int:
    import shutil

    return max(40, shutil.get_terminal_size((100, 24)).columns)


def _longest(text: str, words: bool) -> int:
    parts = text.split() if words else text.splitlines()
    return max((len(p) for p in parts), default=0)


def readable_widths(columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> list[int]:
    """The narrowest each column can be and still read: its longest word (an id, up to WORD_LIMIT),
    its header or MIN_WIDTH, whichever is widest, but never wider than its widest line."""
    widths = []
    for column in columns:
        cells = [_table_cell(r.get(column)) for r in rows]
        natural = max([len(column), *(_longest(c, words=False) for c in cells)])
        widths.append(min(natural, max(MIN_WIDTH, min(len(column), 20),
                                       *(min(_longest(c, True), WORD_LIMIT) for c in cells))))
    return widths


def table_fits(columns: Sequence[str], rows: Sequence[dict[str, Any]], width: int) -> bool:
    """Whether every column can get its readable width (three characters of border and padding each)."""
    return 1 + sum(w + 3 for w in readable_widths(columns, rows)) <= width


def to_records(columns: Sequence[str], rows: Sequence[dict[str, Any]], width: int,
               title: str | None = None) -> str:
    """One block per row, one line per column (wrapped to `width` under its value); nothing cut."""
    import textwrap

    label = max((len(c) for c in columns), default=0) + 2
    text_width = max(20, width - label)
    lines = [title, ""] if title else []
    for number, row in enumerate(rows, 1):
        head = f"\u2500\u2500 {number} of {len(rows)} "
        lines.append(head + "\u2500" * max(0, min(width, 60) - len(head)))
        for column in columns:
            value = row.get(column)
            items = value if isinstance(value, list) else [value]
            wrapped: list[str] = []
            for item in items:
                for line in _plain(item).splitlines() or [""]:
                    wrapped += textwrap.wrap(line, text_width, break_on_hyphens=False) or [""]
            for i, line in enumerate(wrapped or [""]):
                lines.append((column if i == 0 else "").ljust(label) + line)
        lines.append("")
    return "\n".join(lines)


def select(columns: Sequence[str], rows: Sequence[dict[str, Any]],
           wanted: Sequence[str] | None) -> tuple[list[str], list[dict[str, Any]]]:
    """Only the `wanted` columns, in that order; ValueError names an unknown one."""
    if not wanted:
        return list(columns), list(rows)
    unknown = [c for c in wanted if c not in columns]
    if unknown:
        raise ValueError(f"no column {', '.join(map(repr, unknown))}; the columns are {', '.join(columns)}")
    return list(wanted), [{c: r.get(c) for c in wanted} for r in rows]


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
           title: str | None = None, sources: Mapping[str, Mapping[str, Any]] | None = None,
           notes: Sequence[str] = (), width: int | None = None) -> None:
    """Rows in `fmt`. `notes` (rows left out, and why) go under a Markdown table; the caller
    prints them for the other formats, away from the data."""
    if fmt == "json":
        out.write(to_json(rows) + "\n")
    elif fmt == "csv":
        out.write(to_csv(columns, rows))
    elif fmt == "markdown":
        out.write(to_markdown(columns, rows, title, sources))
        if notes:
            out.write("\n" + "\n".join(f"*Note: {_md(n)}.*" for n in notes) + "\n")
    else:
        width = width or terminal_width()
        if fmt == "records" or not table_fits(columns, rows, width):
            out.write(to_records(columns, rows, width, title) + "\n")
            return
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        table = Table(title=title, show_lines=True, expand=False)
        for column, least in zip(columns, readable_widths(columns, rows), strict=True):
            table.add_column(column, overflow="fold", min_width=least)
        for row in rows:
            # Text(), not markup: values are untrusted and must print as they are
            table.add_row(*(Text(_table_cell(row.get(c))) for c in columns))
        Console(file=out, width=width, color_system=None).print(table)


def write_file(path: Path, columns: Sequence[str], rows: Sequence[dict[str, Any]], fmt: str,
               title: str | None = None, sources: Mapping[str, Mapping[str, Any]] | None = None,
               notes: Sequence[str] = ()) -> Path:
    """An answer as a file in `fmt` (json, csv or markdown: ANSWER_SUFFIXES), written whole or not at all."""
    if fmt not in ANSWER_SUFFIXES:
        raise ValueError(f"an answer file is json, csv or markdown, not {fmt!r}")
    text = io.StringIO()
    render(columns, rows, fmt, text, title=title, sources=sources, notes=notes)
    partial = path.with_name(path.name + ".part")
    partial.write_text(text.getvalue(), encoding="utf-8")
    partial.replace(path)
    return path
