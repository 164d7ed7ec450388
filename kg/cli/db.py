"""`kg db`: start, inspect and stop the Neo4j server this checkout uses; dump and restore its database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kg.cli.app import Connection, db_app, err, password_file
from kg.cli.options import Backend


@db_app.command("up")
def db_up(
    backend: Annotated[Backend, typer.Option(help="auto (Docker if an engine answers and has or can pull the images, "
                                             "and a compose file is here, else local), docker (docker-compose.yml; "
                                             "KG_NEO4J_IMAGE, COMPOSE_FILE), local")]
    = Backend("auto"),
    bolt_port: Annotated[int, typer.Option(help="Bolt port of a new server, on 127.0.0.1")] = 7687,
    http_port: Annotated[int, typer.Option(help="HTTP port of a new server (Neo4j Browser), on 127.0.0.1")] = 7474,
    timeout: Annotated[float, typer.Option(help="seconds to wait for Cypher to answer")] = 180.0,
) -> None:
    """Start Neo4j for this checkout and wait until Cypher answers. Running it twice leaves one server."""
    from kg.server import checkout as server

    result = server.up(backend.value, bolt_port, http_port, timeout, log=err)
    state = "was already running" if result.already_running else "is up"
    where = f"local server, pid {result.pid}" if result.pid else result.backend
    err(f"Neo4j {result.version} {state} ({where})")
    typer.echo(f"Bolt URI:  {result.uri}")
    typer.echo(f"Browser:   {result.browser}")
    typer.echo(f"User:      {result.username}  (password: NEO4J_PASSWORD, or the file {password_file()})")


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
    from kg.server import checkout as server

    err(server.down())


@db_app.command("guide")
def db_guide() -> None:
    """Write kg's Neo4j Browser guide, made from cypher/ and seed/, where the local server `kg db up`
    started serves it (`kg load` does it too); the running server serves it at once."""
    from kg.server import checkout as server

    url = server.write_guide()
    err(f"wrote kg's guide; in Neo4j Browser: :guide {url}")


@db_app.command("dump")
def db_dump(file: Annotated[Path, typer.Argument(help="the dump file to write (never overwritten)")]) -> None:
    """Dump the local server's database with neo4j-admin (the server is stopped meanwhile, as
    Community edition requires, and started again)."""
    from kg.server import admin

    err(admin.dump(file, log=err))


@db_app.command("restore")
def db_restore(
    file: Annotated[Path, typer.Argument(help="a dump written by `kg db dump` (or neo4j-admin)")],
    force: Annotated[bool, typer.Option("--force", help="replace a database that holds data")] = False,
) -> None:
    """Replace the local server's database with a dump (refused when it holds data, unless --force)."""
    from kg.server import admin

    err(admin.restore(file, force=force, log=err))
