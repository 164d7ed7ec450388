"""The `kg` command's root: the Typer app and its command groups, the global options, and the one
place where kg's errors become lines on stderr and an exit code (kg/cli/__init__.py adds the commands).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from kg import versions
from kg.errors import KgError, ValidationFailed

if TYPE_CHECKING:
    from kg.config import Settings
    from kg.graph.db import Database

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
                err(one_line(str(problem)))
            err(one_line(f"kg: {e}; nothing was written"))
            raise typer.Exit(1) from None
        except KgError as e:
            err(one_line(f"kg: {e}"))
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
fact_app = typer.Typer(help="Add a fact to a source's seed file, its quote checked against the article.",
                       no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(query_app, name="query")
app.add_typer(source_app, name="source")
app.add_typer(quote_app, name="quote")
import_app = typer.Typer(help="Make seed files from other forms of the facts: a spreadsheet.", no_args_is_help=True)
app.add_typer(fact_app, name="fact")
app.add_typer(import_app, name="import")


class Connection:
    """Options given before the command, resolved into settings on first use."""

    def __init__(self, uri: str | None, username: str | None, database: str | None) -> None:
        self.uri, self.username, self.database = uri, username, database

    def settings(self) -> Settings:
        from kg.config import Settings

        return Settings.resolve(uri=self.uri, username=self.username, database=self.database)

    def open(self) -> Database:
        from kg.graph.db import Database

        return Database(self.settings())


#: what reading stderr line by line (str.splitlines) takes for the end of a line: inside one message,
#: written as escapes, so that a problem stays one line whatever text it quotes (found by tests/fuzz)
BREAKS = {ord(c): f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"
          for c in "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"}


def one_line(message: str) -> str:
    """A message as one line: the line breaks of the text it quotes written as escapes."""
    return message.translate(BREAKS)


def err(message: str) -> None:
    typer.echo(message, err=True)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"kg {versions.KG_VERSION} (Neo4j {versions.NEO4J_VERSION})")
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
    from kg import project

    project.use(project_dir)
    ctx.obj = Connection(uri, username, database)


def password_file() -> str:
    """Where `kg db up` keeps the password: `.kg/password` in a checkout, relative when it is below here."""
    from kg.config import state_dir

    path = state_dir() / "password"
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
