"""The named questions (`kg query list | show | run | run-all`), `kg search`, `kg stats` and `kg cypher`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kg.cli.app import Connection, app, err, query_app
from kg.cli.options import AnswerFormat, Columns, Format, OutputFormat, Params, emit


@query_app.command("list")
def query_list(fmt: Format = OutputFormat("table")) -> None:
    """The named questions, with their parameters."""
    import json

    from kg.questions.catalogue import catalogue as questions

    catalogue = questions()
    rows = [{"name": q.name, "title": q.title, "description": q.description,
             "params": [f"{p.name}: {p.type}" + ("" if p.required else f" = {json.dumps(p.default)}")
                        for p in q.params.values()]} for q in catalogue.values()]
    emit(["name", "title", "description", "params"], rows, fmt)


@query_app.command("show")
def query_show(name: Annotated[str, typer.Argument(help="the question's name")]) -> None:
    """Print a question's file: its header and its Cypher, with kg.as_of(...) written out, so that it runs
    as it is in Neo4j Browser."""
    from kg.questions.catalogue import get

    query = get(name)
    text = query.path.read_text(encoding="utf-8")
    typer.echo(text.replace(query.written, query.cypher) if query.written else text, nl=False)


@query_app.command("run")
def query_run(ctx: typer.Context, name: Annotated[str, typer.Argument(help="the question's name")],
              param: Params = None, fmt: Format = OutputFormat("table"), columns: Columns = None) -> None:
    """Answer a named question. Entity parameters take an id, a name or an alias; `as_of`, `from` and
    `to` a date of any precision (2019, 2019-11, 2019-11-15).

    \b
    Example: kg query run statements -p speaker="Frank Bergen" --format json
             kg query run agencies-using-tool -p as_of=2019-11 --columns agency,since,as_of
    """
    from kg.questions import run as queries
    from kg.questions.catalogue import get
    from kg.questions.params import bind, parse_assignments

    conn: Connection = ctx.obj
    query = get(name)
    args = parse_assignments(param or [])
    bind(query, args)  # usage errors before connecting
    with conn.open() as db:
        results = queries.run(db, query, args)
        emit(results.columns, results.rows, fmt, title=query.title, db=db, notes=results.notes, pick=columns,
              cites=query.ids(results.rows, "source", "sources"))


@query_app.command("run-all")
def query_run_all(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option(help="folder for one file per question")] = Path("out/answers"),
    fmt: Annotated[AnswerFormat, typer.Option("--format", "-f", help="one .json, .csv or .md file each")]
    = AnswerFormat("json"),
) -> None:
    """Answer every named question (defaults, and examples for required parameters); write one file each."""
    from kg.questions.answers import answer_all

    conn: Connection = ctx.obj
    with conn.open() as db:
        for query, results, _ in answer_all(db, out, fmt.value):
            typer.echo(f"{query.name:34} {len(results.rows):4} rows  {query.title}")
    err(f"answers written to {out}/")


@app.command()
def search(ctx: typer.Context, text: Annotated[str, typer.Argument(help="words to look for")],
           limit: Annotated[int, typer.Option(min=1, max=1000)] = 20, fmt: Format = OutputFormat("table")) -> None:
    """Full-text search over names, aliases, summaries and quotes, ranked."""
    from kg.questions.search import search as fulltext

    conn: Connection = ctx.obj
    with conn.open() as db:
        rows = fulltext(db, text, limit)
    emit(["score", "kind", "label", "id", "name", "quote", "sources"], rows, fmt)


@app.command()
def stats(ctx: typer.Context, fmt: Format = OutputFormat("table")) -> None:
    """Counts by node label and relationship type."""
    from kg.questions.search import stats as count

    conn: Connection = ctx.obj
    with conn.open() as db:
        counts = count(db)
    rows = [{"kind": "label", "name": k, "count": v} for k, v in counts["labels"].items()]
    rows += [{"kind": "relationship", "name": k, "count": v} for k, v in counts["relationships"].items()]
    emit(["kind", "name", "count"], rows, fmt)


@app.command()
def cypher(ctx: typer.Context, query: Annotated[str, typer.Argument(help="a read-only Cypher query")],
           param: Params = None, fmt: Format = OutputFormat("table"), columns: Columns = None) -> None:
    """Run an ad-hoc read-only query (same guards and output as named questions).

    \b
    Example: kg cypher 'MATCH (a:PoliceAgency) WHERE a.name CONTAINS $w RETURN a.name' -p w=Police
    """
    from kg.questions import run as queries
    from kg.questions.guard import refuse_writes
    from kg.questions.params import parse_assignments

    conn: Connection = ctx.obj
    args = parse_assignments(param or [])
    refuse_writes(query, "the query")
    with conn.open() as db:
        results = queries.run_cypher(db, query, args)
        emit(results.columns, results.rows, fmt, db=db, pick=columns)
