"""The `kg` command: a thin layer over the library.

Each command parses its arguments, calls one library function and formats the result. Data goes to
stdout, messages to stderr; a KgError becomes one line on stderr and exit code 1 (2 for usage
errors), in kg/cli/app.py. The commands are grouped in the modules below, registered on import (in
the order `kg --help` lists them); they import the library inside each command, so that `kg --help`
loads neither the driver nor the heavier libraries.
"""

# registers the commands, in the order `kg --help` lists them: the seed, getting the graph out, the
# questions, the views, curation and duplicates (the groups `db`, `query`, `source`, `quote`, `fact` and
# `import` follow, from kg/cli/app.py)
# isort: off
from kg.cli import seed, export, questions, views, web, db, curate, sheet, xref  # noqa: F401
# isort: on
from kg.cli.app import app

__all__ = ["app", "main"]


def main() -> None:
    """Console-script entry point."""
    app()
