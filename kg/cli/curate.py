"""`kg quote find`, `kg source add` and `kg fact add`: the article texts, a new source's scaffold, and
the facts written into it."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from kg.cli.app import err, fact_app, quote_app, source_app
from kg.cli.options import Format, OutputFormat, TextsDir, emit


@quote_app.command("find")
def quote_find(
    words: Annotated[str, typer.Argument(help="the words to look for (white space, quotes and dashes normalised)")],
    source: Annotated[str | None, typer.Option("--source", help="only this source's text (its id)",
                                               show_default=False)] = None,
    texts: TextsDir = None,
    fmt: Format = OutputFormat("table"),
) -> None:
    """Where words occur in the article texts: source, file, line, and that line.

    \b
    Example: kg quote find "auto theft" --texts ../shared/sources
    """
    from kg.project import seed_dir
    from kg.seed.curate import find_words
    from kg.seed.texts import Texts, texts_dir

    folder = texts_dir(texts)
    if folder is None:
        err("kg: no texts folder: give --texts DIR or set KG_TEXTS (the default, .kg/texts/, does not exist)")
        raise typer.Exit(2)
    rows = find_words(Texts(folder), words, seed_dir(), source)
    emit(["source", "file", "line", "context"], rows, fmt)


class AddedFormat(StrEnum):
    path = "path"
    json = "json"


@source_app.command("add")
def source_add(
    article: Annotated[Path, typer.Argument(help="the article: a .txt, a saved .html page or a .pdf")],
    source_id: Annotated[str | None, typer.Option("--id", help="the new source's id (default "
                                                  "src-<publisher>-<date>)", show_default=False)] = None,
    publisher: Annotated[str | None, typer.Option(help="the publisher's actor id, when the page does not say it",
                                                  show_default=False)] = None,
    title: Annotated[str | None, typer.Option(help="the title, when the article's own is missing or wrong",
                                              show_default=False)] = None,
    published: Annotated[str | None, typer.Option(help="the publication date (2020, 2020-02 or 2020-02-28), "
                                                  "when the article does not give it", show_default=False)] = None,
    url: Annotated[str | None, typer.Option(help="where the article was published", show_default=False)] = None,
    texts: TextsDir = None,
    fmt: Annotated[AddedFormat, typer.Option("--format", "-f", help="path: the scaffold's path; json: the source, "
                                             "its file, the actors named and the candidates, for tools")]
    = AddedFormat.path,
) -> None:
    """Add an article: its plain text goes into the texts folder (never the repository), and a
    scaffold `seed/sources/<id>.yaml` listing as comments the actors the text names and the names
    that match no actor. A publisher the page names that is no actor yet is scaffolded as a new
    Organization; what the article does not say (its publisher, its date: a date in its text is
    only offered as a hint) is left for a person, and the validator refuses the file until then.
    Never overwrites a file.

    \b
    Example: kg source add ~/articles/cbc-2020-03-02.html --texts ~/kg-texts
    """
    from kg.config import project_root
    from kg.project import writable_seed_dir
    from kg.seed.curate import add_source
    from kg.seed.texts import texts_dir

    folder = texts_dir(texts, create=True)
    assert folder is not None
    added = add_source(article, writable_seed_dir(), folder, project_root(), source_id=source_id,
                       publisher=publisher, title=title, published=published, url=url)
    if fmt is AddedFormat.json:
        typer.echo(json.dumps({
            "source": added.source_id, "file": str(added.seed_file), "text": str(added.text_file),
            "actors": [{"id": a.id, "name": a.name, "label": a.label, "count": n, "line": line}
                       for a, n, line in added.named],
            "candidates": [{"name": name, "kind": kind, "line": line}
                           for name, line, kind in added.candidates],
            "new_actors_file": str(added.actors_file) if added.actors_file else None, "unknown": added.unknown,
        }, ensure_ascii=False, indent=2))
    else:
        typer.echo(str(added.seed_file))
    err(f"wrote {added.text_file} (the article's text) and {added.seed_file} (source {added.source_id}): "
        f"{len(added.named)} registry actors named, {len(added.candidates)} other names listed as comments")
    if added.actors_file:
        err(f"wrote {added.actors_file}: the page's outlet, a new Organization of the registry (check its name)")
    for unknown in added.unknown:
        err(f"not known, left for you in the scaffold (kg validate refuses it until then): {unknown}")


@fact_app.command("add")
def fact_add(
    source_id: Annotated[str, typer.Argument(help="the source whose seed file gets the fact (its id)")],
    quote: Annotated[str, typer.Option(help="the source's words, verbatim (checked against its pinned text)")],
    label: Annotated[str | None, typer.Option(help="a fact node: Statement, Event, Report or Figure",
                                              show_default=False)] = None,
    name: Annotated[str | None, typer.Option(help="the fact node's name (a short summary)", show_default=False)] = None,
    node_id: Annotated[str | None, typer.Option("--id", help="the fact node's id (default: a prefix and its name's "
                                                "first words)", show_default=False)] = None,
    link: Annotated[list[str] | None, typer.Option(help="the fact node's link to an actor, TYPE:to=ID or "
                                                   "TYPE:from=ID (again for more)", show_default=False)] = None,
    rel: Annotated[str | None, typer.Option(help="a relationship between two actors instead: its type",
                                            show_default=False)] = None,
    start: Annotated[str | None, typer.Option("--from", help="the relationship's start (an actor id)",
                                              show_default=False)] = None,
    end: Annotated[str | None, typer.Option("--to", help="the relationship's end (an actor id)",
                                            show_default=False)] = None,
    date: Annotated[str | None, typer.Option(help="when (2020, 2020-02 or 2020-02-28)", show_default=False)] = None,
    confidence: Annotated[str, typer.Option(help="high, medium or low")] = "high",
    texts: TextsDir = None,
) -> None:
    """Add a fact to a source's seed file: a fact node (--label, --name) or a relationship (--rel,
    --from, --to), with the quote it rests on. The quote must occur in the source's pinned text and
    the seed must validate with the fact; otherwise nothing is written and the message says why
    (the closest passage for a quote not found). The file keeps its comments and layout.

    \b
    Example: kg fact add src-example-lakeshore --label Statement --name "Lakeshore police say the app
             was not for them" --quote "decided it was not for us" --link ON_BEHALF_OF:to=lakeshore-police
    Example: kg fact add src-example-lakeshore --rel USED --from lakeshore-police --to clearview-app
             --quote "used Clearview AI during a two-week trial in January" --date 2030-01
    """
    from kg.errors import UsageError
    from kg.project import writable_seed_dir
    from kg.seed.edit import Link, add_fact, node_entry, relation_entry
    from kg.seed.texts import texts_dir

    if rel is not None:
        if label or name or node_id or link:
            raise UsageError("a relationship (--rel, --from, --to) takes no --label, --name, --id or --link")
        if not start or not end:
            raise UsageError("--rel needs --from ID and --to ID")
        entry = relation_entry(rel, start, end, quote, date=date, confidence=confidence)
    else:
        if not label or not name:
            raise UsageError("give a fact node (--label and --name) or a relationship (--rel, --from and --to)")
        if start or end:
            raise UsageError("--from and --to go with --rel; a fact node's links are --link TYPE:to=ID")
        entry = node_entry(label, name, quote, node_id=node_id, date=date, confidence=confidence,
                           links=[Link.parse(x) for x in link or []])
    added = add_fact(writable_seed_dir(), source_id, entry, texts_dir(texts))
    typer.echo(str(added.file))
    err(f"added {added.what} to {added.file} (its quote is at line {added.line} of the text); "
        f"next: kg load --dry-run {added.file}")
