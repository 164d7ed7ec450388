"""Answers with their sources: the details a footnote cites (title, publisher, date, URL), the
sources an answer's rows cite, and every named question answered into files (`kg query run-all`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from kg.errors import UsageError
from kg.graph.db import Database
from kg.output import ANSWER_SUFFIXES, write_file
from kg.questions.catalogue import Query, catalogue
from kg.questions.run import Results, run


def source_details(db: Database, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Title, publisher, publication date (as precise as known) and URL of the sources `ids`."""
    rows = db.read("MATCH (s:Source) WHERE s.id IN $ids "
                   "OPTIONAL MATCH (s)-[:PUBLISHED_BY]->(p) "
                   "RETURN s.id AS id, s.title AS title, p.name AS publisher, s.published AS published, "
                   "s.url AS url", {"ids": sorted(set(ids))})
    return {r["id"]: {k: v for k, v in r.items() if k != "id" and v is not None} for r in rows}


def cited(rows: Iterable[dict[str, Any]]) -> set[str]:
    """The source ids an answer's rows cite (in their `sources` column)."""
    found: set[str] = set()
    for row in rows:
        value = row.get("sources")
        if isinstance(value, list):
            found.update(str(v) for v in value)
    return found


def answer_all(db: Database, folder: Path, fmt: str = "json") -> Iterator[tuple[Query, Results, Path]]:
    """Answer every named question (its defaults, and the examples of required parameters) and write
    each answer to `folder` as one file in `fmt` (json, csv or markdown, kg/output.py); Markdown
    footnotes name the sources in the question's declared source columns. Yields as it writes."""
    if fmt not in ANSWER_SUFFIXES:
        raise UsageError(f"answers are written as json, csv or markdown, not {fmt!r}")
    folder.mkdir(parents=True, exist_ok=True)
    for query in catalogue().values():
        results = run(db, query, query.example_args())
        sources = (source_details(db, query.ids(results.rows, "source", "sources"))
                   if fmt == "markdown" else None)
        path = write_file(folder / f"{query.name}.{ANSWER_SUFFIXES[fmt]}", results.columns, results.rows, fmt,
                          title=query.title, sources=sources, notes=results.notes)
        yield query, results, path
