"""`kg serve`: the graph on the web, read-only (kg/web/)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from kg.cli.app import Connection, app, err
from kg.cli.options import TextsDir

OUT = Path("out") / "site"


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="the address to listen on (another than 127.0.0.1 shares the graph "
                                           "with the network)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="the port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="worker processes")] = 1,
    auth: Annotated[bool, typer.Option("--auth", help="every request must carry the token in KG_WEB_TOKEN "
                                       "(as the password of a browser's login, or a Bearer token)")] = False,
    texts: TextsDir = None,
) -> None:
    """Serve the graph on the web, read-only: a page and a URL for every entity, source and
    question, each also as .json (answers also .csv and .md), with the quote behind every fact.

    \b
    Example: kg serve --port 8000   (then open http://127.0.0.1:8000/)
    """
    import uvicorn

    from kg.graph.db import Database
    from kg.seed.texts import texts_dir
    from kg.web.app import TOKEN_ENV, create_app, token_from_environment

    token = token_from_environment() if auth else None
    if auth and token is None:
        err(f"kg: --auth needs the token in the environment: set {TOKEN_ENV} (it is never an option, so it "
            "stays out of shell history and process lists)")
        raise typer.Exit(2)
    conn: Connection = ctx.obj
    settings = conn.settings()
    folder = texts_dir(texts)
    with Database(settings) as db:
        db.server_info()  # Neo4j answers, or one line and exit 1
    asked = "; every request must carry the token" if token else ""
    err(f"serving the graph of {settings.uri} at http://{host}:{port}/{asked} (Ctrl-C stops)")
    if host not in ("127.0.0.1", "localhost", "::1") and token is None:
        err(f"note: {host} shares the graph with that network, with no login (kg serve --auth asks for a token)")
    if workers == 1:
        uvicorn.run(create_app(settings, folder, token), host=host, port=port, log_level="warning")
        return
    # each worker makes its own application, resolving the same settings (never the password in argv)
    for name, value in (("NEO4J_URI", conn.uri), ("NEO4J_USERNAME", conn.username), ("NEO4J_DATABASE", conn.database),
                        ("KG_TEXTS", str(folder) if folder else None), ("KG_WEB_AUTH", "1" if auth else None)):
        if value:
            os.environ[name] = value
    uvicorn.run("kg.web.app:create_app", factory=True, host=host, port=port, workers=workers, log_level="warning")


@app.command()
def site(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", "-o", help="the folder to write (replaced whole)")] = OUT,
    graphs: Annotated[bool, typer.Option("--graphs/--no-graphs", help="each entity's neighbourhood drawn "
                                         "(a page of its own)")] = True,
    texts: TextsDir = None,
) -> None:
    """Write the pages of `kg serve` as static files: every entity, source and question (with its
    defaults and its example), each PATH/index.html with its .json beside, links relative, search
    from a prebuilt index. Any static file server serves the folder, with no Python and no Neo4j.

    \b
    Example: kg site --out out/site && python -m http.server -d out/site 8001
    """
    from kg.seed.texts import texts_dir
    from kg.web.site import build_site

    conn: Connection = ctx.obj
    with conn.open() as db:
        report = build_site(db, out, texts_dir(texts), graphs=graphs)
    err(report.summary(out))
    err(f"serve it with: python -m http.server -d {out} 8001   (then open http://127.0.0.1:8001/)")
