"""What the commands share: the choices of output, answer and export formats (from the library's
registries), the options several commands take, one way to write rows (stdout) and notes (stderr),
and progress bars for long work in a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

import typer

from kg import output
from kg.cli.app import err
from kg.export import FORMATS as EXPORT_FORMATS
from kg.output import render, select
from kg.server import BACKENDS

if TYPE_CHECKING:
    from kg.graph.db import Database

#: the choices, made from the registries they name: a format added there is offered here (for mypy
#: each is some StrEnum: its members exist only at run time; compare a choice with its value)
if TYPE_CHECKING:
    Backend: TypeAlias = StrEnum
    OutputFormat: TypeAlias = StrEnum
    AnswerFormat: TypeAlias = StrEnum
    ExportFormat: TypeAlias = StrEnum
else:
    Backend = StrEnum("Backend", [(b, b) for b in BACKENDS])
    OutputFormat = StrEnum("OutputFormat", [(f, f) for f in output.FORMATS])
    AnswerFormat = StrEnum("AnswerFormat", [(f, f) for f in output.ANSWER_SUFFIXES])
    ExportFormat = StrEnum("ExportFormat", [(f, f) for f in EXPORT_FORMATS])

SeedPaths = Annotated[list[Path] | None, typer.Argument(help="seed files or folders (default: seed/)",
                                                       show_default=False)]
TextsDir = Annotated[Path | None, typer.Option("--texts", help="the folder of article texts (env KG_TEXTS; "
                                               "default .kg/texts/ when it exists)", show_default=False)]
Strict = Annotated[bool, typer.Option("--strict", help="a quote that cannot be checked against its text is an "
                                      "error")]
Params = Annotated[list[str] | None, typer.Option("--param", "-p", help="a parameter, key=value (repeatable)",
                                                  show_default=False)]
Format = Annotated[OutputFormat, typer.Option("--format", "-f", help="table (fits the terminal), records (a block "
                                              "per row), json, csv or markdown")]
Columns = Annotated[str | None, typer.Option("--columns", "-c", help="only these columns, in this order: a,b,c",
                                             show_default=False)]


def emit(columns: list[str], rows: list[dict[str, Any]], fmt: OutputFormat, title: str | None = None,
          db: Database | None = None, notes: list[str] | None = None, pick: str | None = None,
          cites: list[str] | None = None) -> None:
    """Rows to stdout in `fmt` (only the `pick` columns, when given); with `db`, Markdown footnotes
    name each cited source (`cites`: a named question's declared source columns; else a `sources`
    column); `notes` go to stderr (under the table in Markdown)."""
    if pick is not None:
        try:
            columns, rows = select(columns, rows, [c.strip() for c in pick.split(",") if c.strip()])
        except ValueError as e:
            err(f"kg: --columns: {e}")
            raise typer.Exit(2) from None
    if fmt != "markdown":
        for note in notes or []:
            err(f"note: {note}")
    if not rows and fmt == "table":
        err("no rows: the graph holds no answer to this question")
        return
    sources = None
    if fmt == "markdown" and db is not None:
        from kg.questions.answers import cited, source_details

        sources = source_details(db, cited(rows) if cites is None else cites)
    render(columns, rows, fmt.value, sys.stdout, title=title, sources=sources, notes=notes or [])


#: from how much work a step shows a progress bar: bytes of seed files validated, rows written
LONG_WORK = {"validating": 2_000_000, "loading": 5_000}
LONG_VALIDATION_BYTES = LONG_WORK["validating"]
LONG_LOAD_ROWS = LONG_WORK["loading"]


@contextmanager
def progress(step: str, total: int) -> Iterator[Callable[[str, int], None]]:
    """A progress bar on stderr for a long step (`total` of at least LONG_WORK[step]) in a terminal;
    silent otherwise. The callback takes what is being done and how much of `total` it did."""
    if not sys.stderr.isatty() or total < LONG_WORK.get(step, 0):
        yield lambda _what, _n: None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(transient=True, console=Console(stderr=True)) as bar:  # stdout is for data
        task = bar.add_task(step, total=total)
        yield lambda what, n: bar.update(task, advance=n, description=f"{step} {what}")
