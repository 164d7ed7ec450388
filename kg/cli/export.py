"""`kg export` and `kg diff`: the graph for other tools, and what changed between two exports."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from kg.cli.app import Connection, app, err
from kg.cli.options import ExportFormat, Format, OutputFormat, emit


@app.command()
def export(
    ctx: typer.Context,
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="jsonl (kg's canonical lines), graphml, gexf, "
                                              "csv (neo4j-admin import files, a folder), ftm (FollowTheMoney) "
                                              "or xlsx (a workbook for people; kg import sheet reads it back)")]
    = ExportFormat("jsonl"),
    out: Annotated[Path | None, typer.Option("--out", "-o", help="the file (for csv: the folder) to write; "
                                             "jsonl and ftm go to stdout without it", show_default=False)] = None,
) -> None:
    """Write the whole graph for other tools, with its provenance (docs/interop.md).

    \b
    Examples:
      kg export > graph.jsonl                     # canonical: the same graph gives the same text
      kg export --format graphml --out graph.graphml
      kg export --format csv --out import/        # neo4j-admin database import full
      kg export --format ftm --out graph.ftm.json
      kg export --format xlsx --out graph.xlsx    # a sheet per kind and type; kg import sheet reads it back
    """
    from kg.export import export as write

    conn: Connection = ctx.obj
    with conn.open() as db:
        done = write(db, fmt.value, out, stdout=sys.stdout)
    err(done)


@app.command()
def diff(
    old: Annotated[Path, typer.Argument(help="the earlier export (kg export, jsonl)")],
    new: Annotated[Path, typer.Argument(help="the later export")],
    fmt: Format = OutputFormat("table"),
) -> None:
    """What changed between two exports: facts and actors added, removed or changed (which
    properties), by the source that reports them. No database needed.

    \b
    Example: kg export > before.jsonl; kg load; kg export > after.jsonl; kg diff before.jsonl after.jsonl
    """
    from kg.export.diff import diff as compare
    from kg.export.diff import summary

    rows = compare(old, new)
    if rows or fmt != "table":
        emit(["source", "change", "kind", "label", "id", "name", "properties"], rows, fmt)
    err(summary(rows))
