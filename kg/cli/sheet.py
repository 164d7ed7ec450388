"""`kg import sheet`: a spreadsheet in kg's layout (the one `kg export --format xlsx` writes) made
into seed files, and the empty workbook to fill."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kg.cli.app import err, import_app
from kg.cli.options import TextsDir


@import_app.command("sheet")
def import_sheet(
    files: Annotated[list[Path] | None, typer.Argument(
        help="workbooks (.xlsx, .ods) or CSV files (one sheet each, named by the file: Statement.csv)",
        show_default=False)] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="the seed folder to write into (default: the "
                                             "project's seed/); validated with what it holds", show_default=False)]
    = None,
    template: Annotated[Path | None, typer.Option("--template", help="write the empty workbook to fill, with "
                                                  "drop-down lists, to this .xlsx file instead",
                                                  show_default=False)] = None,
    texts: TextsDir = None,
) -> None:
    """Rows of kg's spreadsheet layout become seed files: a file per source (sheet Sources, with the
    facts that cite it) and a registry of the actors without a source. Nothing is written unless
    everything validates with the seed folder, every quote found in its source's pinned text, and
    no file is overwritten; a problem names its sheet, row and column.

    \b
    Examples:
      kg import sheet --template new-articles.xlsx     # the empty workbook, with drop-down lists
      kg import sheet new-articles.xlsx --texts ~/kg-texts
      kg import sheet Sources.csv Statement.csv MADE.csv
    """
    from kg.errors import UsageError
    from kg.project import seed_dir, writable_seed_dir

    if template is not None:
        if files:
            raise UsageError("--template writes the empty workbook; give no FILE with it")
        from kg.seed.sheet_import import write_template_file

        lists = write_template_file(template, seed_dir())
        typer.echo(str(template))
        err(f"wrote {template}: the sheets of kg's layout, empty, with {lists} drop-down lists; fill it, then "
            f"kg import sheet {template}")
        return
    if not files:
        raise UsageError("give the spreadsheet to import (or --template FILE for an empty one)")
    from kg.seed.sheet_import import import_sheets
    from kg.seed.texts import texts_dir

    target = out if out is not None else writable_seed_dir()
    done = import_sheets(files, target, texts_dir(texts))
    for path in done.files:
        typer.echo(str(path))
    err(f"wrote {_n(len(done.files), 'seed file')} to {target}: {_n(done.sources, 'source')} with "
        f"{_n(done.nodes, 'node')} and {_n(done.relations, 'relationship')}, {_n(done.actors, 'actor')} of a "
        f"registry; {_n(done.quotes, 'quote')} found in their texts; next: kg load --dry-run "
        f"{' '.join(str(p) for p in done.files)}")


def _n(count: int, what: str) -> str:
    return f"{count} {what}{'' if count == 1 else 's'}"
