"""The `kg` command: a thin layer over the library.

Each command parses its arguments, calls one library function and formats the result.
Data goes to stdout, messages to stderr. A KgError becomes one line on stderr and exit code 1
(2 for usage errors); heavy modules are imported inside the commands so `kg --help` stays fast.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from kg import __version__, project
from kg.errors import KgError, UsageError, ValidationFailed

if TYPE_CHECKING:
    from kg.db import Database
    from kg.seed import Seed

class Backend(StrEnum):
    """Where `kg db up` starts Neo4j."""

    auto = "auto"
    docker = "docker"
    local = "local"


class OutputFormat(StrEnum):
    """How rows are written (kg/output.py FORMATS)."""

    table = "table"
    records = "records"
    json = "json"
    csv = "csv"
    markdown = "markdown"


class AnswerFormat(StrEnum):
    """The files `kg query run-all` writes (kg/output.py ANSWER_SUFFIXES)."""

    json = "json"
    csv = "csv"
    markdown = "markdown"


class ExportFormat(StrEnum):
    """What `kg export` writes (kg/export.py FORMATS)."""

    jsonl = "jsonl"
    graphml = "graphml"
    gexf = "gexf"
    csv = "csv"
    ftm = "ftm"


EXAMPLES = """\b
Examples:
  kg db up                # start Neo4j (Docker if it has or can pull the images, else a local server)
  kg load                 # validate seed/ and load it into the graph
  kg query list           # the named questions
  kg query run denied-then-admitted --format json
  kg viz --out out/graph.html
"""


class KgGroup(TyperGroup):
    """The root command group: the one place where kg's errors become lines on stderr and an exit
    code (a seed's problems one per line, then one line; any other KgError one line), without a
    traceback. Every command below raises; none catches."""

    def invoke(self, ctx: Any) -> Any:  # a Context of the click typer carries
        try:
            return super().invoke(ctx)
        except ValidationFailed as e:
            for problem in e.problems:
                err(problem)
            err(f"kg: {e}; nothing was written")
            raise typer.Exit(1) from None
        except KgError as e:
            err(f"kg: {e}")
            raise typer.Exit(e.exit_code) from None


app = typer.Typer(
    name="kg",
    cls=KgGroup,
    help="A cited knowledge graph of police adoption of facial recognition, in Neo4j.\n\n" + EXAMPLES,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
)
query_app = typer.Typer(help="The named questions in cypher/: list, show, run.", no_args_is_help=True)
db_app = typer.Typer(help="Start, inspect and stop the Neo4j server this checkout uses.", no_args_is_help=True)
source_app = typer.Typer(help="Add an article: its text into the texts folder, a scaffold into seed/sources/.",
                         no_args_is_help=True)
quote_app = typer.Typer(help="Find words in the article texts.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(query_app, name="query")
app.add_typer(source_app, name="source")
app.add_typer(quote_app, name="quote")


class Connection:
    """Options given before the command, resolved into settings on first use."""

    def __init__(self, uri: str | None, username: str | None, database: str | None) -> None:
        self.uri, self.username, self.database = uri, username, database

    def open(self) -> Database:
        from kg.db import Database

        return Database.connect(uri=self.uri, username=self.username, database=self.database)


def err(message: str) -> None:
    typer.echo(message, err=True)


def _version_callback(value: bool) -> None:
    if value:
        from kg import versions

        typer.echo(f"kg {__version__} (Neo4j {versions.NEO4J_VERSION})")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    uri: Annotated[str | None, typer.Option("--uri", help="Neo4j URI (env NEO4J_URI); bolt:// or neo4j://",
                                             show_default=False)] = None,
    username: Annotated[str | None, typer.Option("--username", help="user (env NEO4J_USERNAME)",
                                                  show_default=False)] = None,
    database: Annotated[str | None, typer.Option("--database", help="database (env NEO4J_DATABASE)",
                                                  show_default=False)] = None,
    project_dir: Annotated[Path | None, typer.Option(
        "--project", envvar="KG_PROJECT", exists=True, file_okay=False, show_default=False,
        help="the project folder: its cypher/, seed/ and .kg/ (default: the checkout around the working "
             "directory, else the questions and seed installed with kg; state in the per-user data folder)")] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version_callback, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """The password is read from NEO4J_PASSWORD, `.env`, or the server `kg db up` started; never
    from an option, so it stays out of shell history and process lists."""
    # the driver logs retries and defunct connections as warnings; kg reports errors itself, once
    logging.getLogger("neo4j").addHandler(logging.NullHandler())
    project.use(project_dir)
    ctx.obj = Connection(uri, username, database)


# --- kg db ----------------------------------------------------------------------------------------

@db_app.command("up")
def db_up(
    backend: Annotated[Backend, typer.Option(help="auto (Docker if an engine answers and has or can pull the images, "
                                             "and a compose file is here, else local), docker (docker-compose.yml; "
                                             "KG_NEO4J_IMAGE, COMPOSE_FILE), local")]
    = Backend.auto,
    bolt_port: Annotated[int, typer.Option(help="Bolt port of a new server, on 127.0.0.1")] = 7687,
    http_port: Annotated[int, typer.Option(help="HTTP port of a new server (Neo4j Browser), on 127.0.0.1")] = 7474,
    timeout: Annotated[float, typer.Option(help="seconds to wait for Cypher to answer")] = 180.0,
) -> None:
    """Start Neo4j for this checkout and wait until Cypher answers. Running it twice leaves one server."""
    from kg import server

    result = server.up(backend.value, bolt_port, http_port, timeout, log=err)
    state = "was already running" if result.already_running else "is up"
    where = f"local server, pid {result.pid}" if result.pid else result.backend
    err(f"Neo4j {result.version} {state} ({where})")
    typer.echo(f"Bolt URI:  {result.uri}")
    typer.echo(f"Browser:   {result.browser}")
    typer.echo(f"User:      {result.username}  (password: NEO4J_PASSWORD, or the file {_password_file()})")


def _password_file() -> str:
    """Where `kg db up` keeps the password: `.kg/password` in a checkout, relative when it is below here."""
    from kg.config import state_dir

    path = state_dir() / "password"
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@db_app.command("status")
def db_status(ctx: typer.Context) -> None:
    """Say whether the configured server answers, and its version (exit 0 if it does, 1 if not)."""
    conn: Connection = ctx.obj
    with conn.open() as db:
        info = db.server_info()
    typer.echo(f"reachable: {info.uri}  Neo4j {info.version} ({info.edition})")


@db_app.command("down")
def db_down() -> None:
    """Stop the server `kg db up` started (its data is kept)."""
    from kg import server

    err(server.down())


@db_app.command("guide")
def db_guide() -> None:
    """Write kg's Neo4j Browser guide, made from cypher/ and seed/, where the local server `kg db up`
    started serves it (`kg load` does it too); the running server serves it at once."""
    from kg import server

    url = server.write_guide()
    err(f"wrote kg's guide; in Neo4j Browser: :guide {url}")


@db_app.command("dump")
def db_dump(file: Annotated[Path, typer.Argument(help="the dump file to write (never overwritten)")]) -> None:
    """Dump the local server's database with neo4j-admin (the server is stopped meanwhile, as
    Community edition requires, and started again)."""
    from kg import admin

    err(admin.dump(file, log=err))


@db_app.command("restore")
def db_restore(
    file: Annotated[Path, typer.Argument(help="a dump written by `kg db dump` (or neo4j-admin)")],
    force: Annotated[bool, typer.Option("--force", help="replace a database that holds data")] = False,
) -> None:
    """Replace the local server's database with a dump (refused when it holds data, unless --force)."""
    from kg import admin

    err(admin.restore(file, force=force, log=err))


# --- seed: validate and load ----------------------------------------------------------------------

def _seed_dir() -> Path:
    from kg.project import seed_dir

    return seed_dir()


def _seed_paths(paths: list[Path] | None) -> list[Path]:
    return paths or [_seed_dir()]


def _whole_seed(paths: list[Path] | None) -> bool:
    """Whether `paths` name the whole seed folder (a full load), not some files of it."""
    return not paths or (len(paths) == 1 and paths[0].resolve() == _seed_dir().resolve())


SeedPaths = Annotated[list[Path] | None, typer.Argument(help="seed files or folders (default: seed/)",
                                                       show_default=False)]
TextsDir = Annotated[Path | None, typer.Option("--texts", help="the folder of article texts (env KG_TEXTS; "
                                               "default .kg/texts/ when it exists)", show_default=False)]
Strict = Annotated[bool, typer.Option("--strict", help="a quote that cannot be checked against its text is an "
                                      "error")]


def _texts(option: Path | None) -> Path | None:
    from kg.texts import texts_dir

    return texts_dir(option)


def _note_unchecked(seed: Any) -> None:
    from kg.seed.validate import unchecked_note

    note = unchecked_note(seed)
    if note:
        err(f"note: {note}")


@app.command()
def validate(paths: SeedPaths = None, texts: TextsDir = None, strict: Strict = False) -> None:
    """Check seed files without a database: every problem as `file:line: what is wrong`.

    With a texts folder, each source's text must match its pin and every quote must occur in it
    (white space, typographic quotes and dashes normalised; `...` skips words).

    \b
    Example: kg validate --texts ../shared/sources
    """
    folder = _texts(texts)
    seed = _checked(_seed_paths(paths), texts=folder, strict=strict)
    c = seed.counts()
    checked = f", {seed.quotes_checked} quotes found in their texts" if seed.quotes_checked else ""
    err(f"ok: {c['files']} files, {c['sources']} sources, {c['nodes']} nodes, {c['relationships']} relationships"
        f"{checked}")
    _note_unchecked(seed)


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
    = OutputFormat.table,
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
    from contextlib import ExitStack

    from kg.seed.loader import labels_of
    from kg.seed.loader import load as write

    conn: Connection = ctx.obj
    folder = _texts(texts)
    full = _whole_seed(paths)
    if bulk:
        _bulk_load(conn, paths, folder, strict, dry_run, full)
        return
    with ExitStack() as stack:
        opened: list[Database] = []

        def database() -> Database:  # opened only when needed: bad files never reach the database
            if not opened:
                opened.append(stack.enter_context(conn.open()))
            return opened[0]

        seed = _checked(_seed_paths(paths), texts=folder, strict=strict,
                        resolve=None if full else (lambda ids: labels_of(database(), ids)))
        _note_unchecked(seed)
        if dry_run:
            from kg.seed.plan import preview

            plan = preview(database(), seed, full=full)
            if plan.changes or fmt is not OutputFormat.table:
                _emit(["source", "change", "label", "id", "name", "properties"], plan.rows(), fmt)
            err(plan.summary())
            return
        total = sum(seed.counts()[k] for k in ("sources", "nodes", "relationships"))
        with _progress(total, "loading", LONG_LOAD_ROWS) as tick:
            report = write(database(), seed, batch_size=batch_size, progress=tick, full=full, force=force)
    err(report.summary())
    from kg.server import guide_after_load

    said = guide_after_load(opened[0].settings.uri, seed if full else None)
    if said:
        err(said)


def _bulk_load(conn: Connection, paths: list[Path] | None, texts: Path | None, strict: bool, dry_run: bool,
               full: bool) -> None:
    """`kg load --bulk`: refusals first (nothing touched), then validation (the server still untouched),
    then kg.admin.bulk_load. The files must be self-contained (every id they name declared in them),
    as a load of some files into an empty database needs anyway."""
    from kg.admin import bulk_load, bulk_target
    from kg.config import Settings
    from kg.server import guide_after_load

    if dry_run:
        raise UsageError("--bulk and --dry-run do not go together: into an empty database everything is new "
                         "(see what a seed holds with `kg validate`)")
    settings = Settings.resolve(uri=conn.uri, username=conn.username, database=conn.database)
    server = bulk_target(settings)
    seed = _checked(_seed_paths(paths), texts=texts, strict=strict)
    _note_unchecked(seed)
    report = bulk_load(server, settings, seed, log=err, full=full)
    err(report.summary())
    said = guide_after_load(settings.uri, seed if full else None)
    if said:
        err(said)


# --- curation: article texts and new sources --------------------------------------------------------

@quote_app.command("find")
def quote_find(
    words: Annotated[str, typer.Argument(help="the words to look for (white space, quotes and dashes normalised)")],
    source: Annotated[str | None, typer.Option("--source", help="only this source's text (its id)",
                                               show_default=False)] = None,
    texts: TextsDir = None,
    fmt: Format = OutputFormat.table,
) -> None:
    """Where words occur in the article texts: source, file, line, and that line.

    \b
    Example: kg quote find "auto theft" --texts ../shared/sources
    """
    from kg.curate import find_words
    from kg.texts import Texts

    folder = _texts(texts)
    if folder is None:
        err("kg: no texts folder: give --texts DIR or set KG_TEXTS (the default, .kg/texts/, does not exist)")
        raise typer.Exit(2)
    rows = find_words(Texts(folder), words, _seed_dir(), source)
    _emit(["source", "file", "line", "context"], rows, fmt)


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
) -> None:
    """Add an article: its plain text goes into the texts folder (never the repository), and a
    scaffold `seed/sources/<id>.yaml` that validates as it is, listing as comments the actors the
    text names and the names that match no actor. Never overwrites a file.

    \b
    Example: kg source add ~/articles/cbc-2020-03-02.html --texts ~/kg-texts
    """
    from kg.config import project_root
    from kg.curate import add_source
    from kg.project import writable_seed_dir
    from kg.texts import texts_dir

    folder = texts_dir(texts, create=True)
    assert folder is not None
    added = add_source(article, writable_seed_dir(), folder, project_root(), source_id=source_id,
                       publisher=publisher, title=title, published=published, url=url)
    typer.echo(str(added.seed_file))
    err(f"wrote {added.text_file} (the article's text) and {added.seed_file} (source {added.source_id}): "
        f"{len(added.named)} registry actors named, {len(added.candidates)} other names listed as comments")


@app.command()
def export(
    ctx: typer.Context,
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="jsonl (kg's canonical lines), graphml, gexf, "
                                              "csv (neo4j-admin import files, a folder) or ftm (FollowTheMoney)")]
    = ExportFormat.jsonl,
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
    fmt: Format = OutputFormat.table,
) -> None:
    """What changed between two exports: facts and actors added, removed or changed (which
    properties), by the source that reports them. No database needed.

    \b
    Example: kg export > before.jsonl; kg load; kg export > after.jsonl; kg diff before.jsonl after.jsonl
    """
    from kg.diff import diff as compare
    from kg.diff import summary

    rows = compare(old, new)
    if rows or fmt is not OutputFormat.table:
        _emit(["source", "change", "kind", "label", "id", "name", "properties"], rows, fmt)
    err(summary(rows))


# --- questions ------------------------------------------------------------------------------------

Params = Annotated[list[str] | None, typer.Option("--param", "-p", help="a parameter, key=value (repeatable)",
                                                  show_default=False)]
Format = Annotated[OutputFormat, typer.Option("--format", "-f", help="table (fits the terminal), records (a block "
                                              "per row), json, csv or markdown")]
Columns = Annotated[str | None, typer.Option("--columns", "-c", help="only these columns, in this order: a,b,c",
                                             show_default=False)]


def _emit(columns: list[str], rows: list[dict[str, Any]], fmt: OutputFormat, title: str | None = None,
          db: Database | None = None, notes: list[str] | None = None, pick: str | None = None,
          cites: list[str] | None = None) -> None:
    """Rows to stdout in `fmt` (only the `pick` columns, when given); with `db`, Markdown footnotes
    name each cited source (`cites`: a named question's declared source columns; else a `sources`
    column); `notes` go to stderr (under the table in Markdown)."""
    from kg.output import render, select

    if pick is not None:
        try:
            columns, rows = select(columns, rows, [c.strip() for c in pick.split(",") if c.strip()])
        except ValueError as e:
            err(f"kg: --columns: {e}")
            raise typer.Exit(2) from None
    if fmt is not OutputFormat.markdown:
        for note in notes or []:
            err(f"note: {note}")
    if not rows and fmt is OutputFormat.table:
        err("no rows: the graph holds no answer to this question")
        return
    sources = None
    if fmt is OutputFormat.markdown and db is not None:
        from kg.export import cited, source_details

        sources = source_details(db, cited(rows) if cites is None else cites)
    render(columns, rows, fmt.value, sys.stdout, title=title, sources=sources, notes=notes or [])


@query_app.command("list")
def query_list(fmt: Format = OutputFormat.table) -> None:
    """The named questions, with their parameters."""
    import json

    from kg.catalogue import catalogue as questions

    catalogue = questions()
    rows = [{"name": q.name, "title": q.title, "description": q.description,
             "params": [f"{p.name}: {p.type}" + ("" if p.required else f" = {json.dumps(p.default)}")
                        for p in q.params.values()]} for q in catalogue.values()]
    _emit(["name", "title", "description", "params"], rows, fmt)


@query_app.command("show")
def query_show(name: Annotated[str, typer.Argument(help="the question's name")]) -> None:
    """Print a question's file: its header and its Cypher, with kg.as_of(...) written out, so that it runs
    as it is in Neo4j Browser."""
    from kg.catalogue import get

    query = get(name)
    text = query.path.read_text(encoding="utf-8")
    typer.echo(text.replace(query.written, query.cypher) if query.written else text, nl=False)


@query_app.command("run")
def query_run(ctx: typer.Context, name: Annotated[str, typer.Argument(help="the question's name")],
              param: Params = None, fmt: Format = OutputFormat.table, columns: Columns = None) -> None:
    """Answer a named question. Entity parameters take an id, a name or an alias; `as_of`, `from` and
    `to` a date of any precision (2019, 2019-11, 2019-11-15).

    \b
    Example: kg query run statements -p speaker="Frank Bergen" --format json
             kg query run agencies-using-tool -p as_of=2019-11 --columns agency,since,as_of
    """
    from kg import queries
    from kg.catalogue import get
    from kg.params import bind, parse_assignments

    conn: Connection = ctx.obj
    query = get(name)
    args = parse_assignments(param or [])
    bind(query, args)  # usage errors before connecting
    with conn.open() as db:
        results = queries.run(db, query, args)
        _emit(results.columns, results.rows, fmt, title=query.title, db=db, notes=results.notes, pick=columns,
              cites=query.ids(results.rows, "source", "sources"))


@query_app.command("run-all")
def query_run_all(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option(help="folder for one file per question")] = Path("out/answers"),
    fmt: Annotated[AnswerFormat, typer.Option("--format", "-f", help="one .json, .csv or .md file each")]
    = AnswerFormat.json,
) -> None:
    """Answer every named question (defaults, and examples for required parameters); write one file each."""
    from kg import queries

    conn: Connection = ctx.obj
    with conn.open() as db:
        for query, results, _ in queries.answer_all(db, out, fmt.value):
            typer.echo(f"{query.name:34} {len(results.rows):4} rows  {query.title}")
    err(f"answers written to {out}/")


@app.command()
def search(ctx: typer.Context, text: Annotated[str, typer.Argument(help="words to look for")],
           limit: Annotated[int, typer.Option(min=1, max=1000)] = 20, fmt: Format = OutputFormat.table) -> None:
    """Full-text search over names, aliases, summaries and quotes, ranked."""
    from kg.lookup import search as fulltext

    conn: Connection = ctx.obj
    with conn.open() as db:
        rows = fulltext(db, text, limit)
    _emit(["score", "kind", "label", "id", "name", "quote", "sources"], rows, fmt)


@app.command()
def stats(ctx: typer.Context, fmt: Format = OutputFormat.table) -> None:
    """Counts by node label and relationship type."""
    from kg.lookup import stats as count

    conn: Connection = ctx.obj
    with conn.open() as db:
        counts = count(db)
    rows = [{"kind": "label", "name": k, "count": v} for k, v in counts["labels"].items()]
    rows += [{"kind": "relationship", "name": k, "count": v} for k, v in counts["relationships"].items()]
    _emit(["kind", "name", "count"], rows, fmt)


@app.command()
def cypher(ctx: typer.Context, query: Annotated[str, typer.Argument(help="a read-only Cypher query")],
           param: Params = None, fmt: Format = OutputFormat.table, columns: Columns = None) -> None:
    """Run an ad-hoc read-only query (same guards and output as named questions).

    \b
    Example: kg cypher 'MATCH (a:PoliceAgency) WHERE a.name CONTAINS $w RETURN a.name' -p w=Police
    """
    from kg import queries
    from kg.guard import refuse_writes
    from kg.params import parse_assignments

    conn: Connection = ctx.obj
    args = parse_assignments(param or [])
    refuse_writes(query, "the query")
    with conn.open() as db:
        results = queries.run_cypher(db, query, args)
        _emit(results.columns, results.rows, fmt, db=db, pick=columns)


@app.command()
def viz(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", "-o", help="the HTML file to write")] = Path("out/graph.html"),
    query: Annotated[str | None, typer.Option("--query", help="draw what this named question returns",
                                              show_default=False)] = None,
    param: Params = None,
    focus: Annotated[str | None, typer.Option("--focus", help="draw around this entity (id, name or alias)",
                                              show_default=False)] = None,
    depth: Annotated[int, typer.Option(min=1, max=4, help="links from --focus")] = 1,
    provenance: Annotated[bool, typer.Option("--provenance", help="also draw Source nodes and their MENTIONS, "
                                             "REPORTS, PUBLISHED_BY, AUTHORED_BY links")] = False,
    title: Annotated[str | None, typer.Option(help="the page's heading", show_default=False)] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="open the page's time slider at this date "
                                              "(2019, 2019-11 or 2019-11-15)", show_default=False)] = None,
) -> None:
    """Write an interactive view of the graph: one self-contained HTML file that opens offline, with a
    time slider over the dated facts and filters by confidence and source.

    \b
    Without options: the whole graph. Examples:
      kg viz --out out/graph.html
      kg viz --query stop-orders -p agency="Toronto police" --out out/stop-orders.html
      kg viz --focus "Hamilton police" --depth 2 --out out/hamilton.html
      kg viz --as-of 2019-11 --out out/november-2019.html
    """
    from kg import viz as views
    from kg.catalogue import get
    from kg.params import bind, parse_assignments

    conn: Connection = ctx.obj
    if query and focus:
        err("kg: choose one view: --query or --focus, not both")
        raise typer.Exit(2)
    args = parse_assignments(param or [])
    if args and not query:
        err("kg: parameters (-p) go with --query")
        raise typer.Exit(2)
    if query:
        bind(get(query), args)  # usage errors before connecting
    if as_of is not None:
        as_of = views.check_as_of(as_of)
    with conn.open() as db:
        view = views.build(db, query=query, params=args, focus=focus, depth=depth, provenance=provenance,
                           title=title, as_of=as_of)
    views.write(view, out)
    nodes, edges = view.counts
    err(f"wrote {out} ({nodes} node{'s' if nodes != 1 else ''}, {edges} edge{'s' if edges != 1 else ''})")


@app.command()
def docs() -> None:
    """Regenerate the documents made from the code (docs/queries.md, docs/seed.schema.json, ...)."""
    from kg.docs import write_all
    from kg.project import required_root

    changed = write_all(required_root("kg docs"))
    err("updated: " + ", ".join(changed) if changed else "generated documents are up to date")


@app.command()
def browse(
    open_it: Annotated[bool, typer.Option("--open", help="also open Neo4j Browser in this machine's web browser")]
    = False,
) -> None:
    """How to explore the graph in Neo4j Browser: its URL, the user, and the commands that open kg's
    guide and apply kg's style (the password is never printed)."""
    from kg import browser
    from kg.config import read_state, state_dir

    where = browser.entry(read_state(state_dir()))
    typer.echo(f"Browser:  {where.browser}")
    typer.echo(f"User:     {where.username}  (password: NEO4J_PASSWORD, or the file {_password_file()})")
    typer.echo(f"Guide:    :play {where.guide}")
    typer.echo(f"Style:    :style {where.style}")
    if where.backend == "unknown":
        err("no server started by `kg db up` here: these are the URLs of `docker compose up` (kg-guide serves "
            "the guide); a server of your own serves no guide")
    err("Connect as this user, then type a command into the Browser's editor; kg's servers already apply the "
        f"style and open the guide when you connect (in the sidebar: :guide {where.guide}).")
    if open_it and not browser.open_in_web_browser(where.browser):
        err(f"no graphical web browser is available here; open {where.browser} yourself")


#: from how much work on a progress bar is shown: rows written, bytes of seed files validated
LONG_LOAD_ROWS = 5_000
LONG_VALIDATION_BYTES = 2_000_000


@contextmanager
def _progress(total: int, verb: str, at_least: int) -> Iterator[Callable[[str, int], None]]:
    """A progress bar on stderr for long work (`total` of at least `at_least`) in a terminal; silent
    otherwise. The callback takes what is being done and how much of `total` it did."""
    if not sys.stderr.isatty() or total < at_least:
        yield lambda _what, _n: None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(transient=True, console=Console(stderr=True)) as bar:  # stdout is for data
        task = bar.add_task(verb, total=total)
        yield lambda what, n: bar.update(task, advance=n, description=f"{verb} {what}")


def _checked(paths: list[Path], **options: Any) -> Seed:
    """kg.seed.validate with a progress bar for a large seed in a terminal."""
    from kg.seed import validate as check
    from kg.seed.validate import seed_bytes

    with _progress(seed_bytes(paths), "validating", LONG_VALIDATION_BYTES) as tick:
        return check(paths, progress=tick, **options)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()

