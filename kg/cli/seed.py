"""`kg validate` and `kg load`: seed files checked, then loaded (kg/loading.py)."""

from __future__ import annotations

from typing import Annotated

import typer

from kg.cli.app import Connection, app, err
from kg.cli.options import OutputFormat, SeedPaths, Strict, TextsDir, emit, progress


@app.command()
def validate(paths: SeedPaths = None, texts: TextsDir = None, strict: Strict = False) -> None:
    """Check seed files without a database: every problem as `file:line: what is wrong`.

    With a texts folder, each source's text must match its pin and every quote must occur in it
    (white space, typographic quotes and dashes normalised; `...` skips words).

    \b
    Example: kg validate --texts ../shared/sources
    """
    from kg.loading import check
    from kg.seed.texts import texts_dir
    from kg.seed.validate import unchecked_note

    seed = check(paths or [], texts_dir(texts), strict, progress=progress)
    c = seed.counts()
    checked = f", {seed.quotes_checked} quotes found in their texts" if seed.quotes_checked else ""
    err(f"ok: {c['files']} files, {c['sources']} sources, {c['nodes']} nodes, {c['relationships']} relationships"
        f"{checked}")
    note = unchecked_note(seed)
    if note:
        err(f"note: {note}")


@app.command()
def load(
    ctx: typer.Context,
    paths: SeedPaths = None,
    batch_size: Annotated[int | None, typer.Option(
        min=1, help="rows per transaction [default: 2000 merging, 10000 into an empty database]",
        show_default=False)] = None,
    texts: TextsDir = None,
    strict: Strict = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="show what would change, per source; write nothing")]
    = False,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="with --dry-run: how the changes are written")]
    = OutputFormat("table"),
    bulk: Annotated[bool, typer.Option("--bulk", help="into the EMPTY database of the local server `kg db up` "
                                       "started: neo4j-admin import (the server restarts); for large seeds")]
    = False,
    force: Annotated[bool, typer.Option("--force", help="write the whole seed even if the graph holds it already")]
    = False,
) -> None:
    """Validate seed files, then load them (idempotent: loading twice gives the same graph).

    The whole seed (the default) is the truth: what no file declares any more is removed. Some
    files only: ids they name may be in the database already, and nothing they do not mention
    changes.

    \b
    Examples:
      kg load
      kg load --dry-run seed/sources/src-new-article.yaml
      kg load seed/sources/src-new-article.yaml
    """
    from kg import loading
    from kg.seed.texts import texts_dir

    conn: Connection = ctx.obj
    loaded = loading.load(paths or [], conn.settings(), texts=texts_dir(texts), strict=strict, dry_run=dry_run,
                          bulk=bulk, force=force, batch_size=batch_size, progress=progress, log=err)
    if loaded.plan is not None and (loaded.plan.changes or fmt != "table"):
        emit(["source", "change", "label", "id", "name", "properties"], loaded.plan.rows(), fmt)
    err(loaded.summary())
    for note in loaded.notes:
        err(note)
