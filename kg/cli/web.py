"""`kg serve`: the graph on the web, read-only (kg/web/)."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from kg.cli.app import Connection, app, err
from kg.cli.options import TextsDir


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="the address to listen on (another than 127.0.0.1 shares the graph "
                                           "with the network)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="the port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="worker processes")] = 1,
    texts: TextsDir = None,
) -> None:
    """Serve the graph on the web, read-only: a page and a URL for every entity, source and
    question, each also as .json (answers also .csv and .md), with the quote behind every fact.

    \b
    Example: kg serve --port 8000   (then open http://127.0.0.1:8000/)
    """
    import uvicorn

    from kg.seed.texts import texts_dir
    from kg.web.app import create_app

    conn: Connection = ctx.obj
    settings = conn.settings()
    folder = texts_dir(texts)
    create_app(settings, folder).state.web.db.server_info()  # Neo4j answers, or one line and exit 1
    err(f"serving the graph of {settings.uri} at http://{host}:{port}/ (Ctrl-C stops)")
    if workers == 1:
        uvicorn.run(create_app(settings, folder), host=host, port=port, log_level="warning")
        return
    # each worker makes its own application, resolving the same settings (never the password in argv)
    for name, value in (("NEO4J_URI", conn.uri), ("NEO4J_USERNAME", conn.username), ("NEO4J_DATABASE", conn.database),
                        ("KG_TEXTS", str(folder) if folder else None)):
        if value:
            os.environ[name] = value
    uvicorn.run("kg.web.app:create_app", factory=True, host=host, port=port, workers=workers, log_level="warning")
