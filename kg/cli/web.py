"""`kg serve`: the graph on the web, read-only (kg/web/)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kg.cli.app import Connection, app, err
from kg.cli.options import TextsDir
from kg.config import Settings

if TYPE_CHECKING:
    from kg.web.curate import Loader

OUT = Path("out") / "site"


def desk_loader(settings: Settings, texts: Path) -> Loader:
    """What the curation desk's Load and previews do: `kg load FILE` and `kg load --dry-run FILE`
    (kg.loading, the one way to load), on a connection of their own."""
    from kg import loading
    from kg.web.curate import Preview

    def load_file(file: Path, dry_run: bool) -> Preview:
        done = loading.load([file], settings, texts=texts, dry_run=dry_run)
        return Preview(done.summary(), done.plan.rows() if done.plan else [], done.notes)
    return load_file


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="the address to listen on (another than 127.0.0.1 shares the graph "
                                           "with the network)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="the port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="worker processes")] = 1,
    auth: Annotated[bool, typer.Option("--auth", help="every request must carry the token in KG_WEB_TOKEN "
                                       "(as the password of a browser's login, or a Bearer token)")] = False,
    curate: Annotated[bool, typer.Option("--curate", help="also the curation desk at /curate: facts made from "
                                         "passages of an article, written into the project's seed files "
                                         "(only on 127.0.0.1)")] = False,
    texts: TextsDir = None,
) -> None:
    """Serve the graph on the web, read-only: a page and a URL for every entity, source and
    question, each also as .json (answers also .csv and .md), with the quote behind every fact.
    With --curate, also the curation desk (/curate/source/ID), which writes into the project's seed.

    \b
    Example: kg serve --port 8000   (then open http://127.0.0.1:8000/)
    Example: kg serve --curate      (then open http://127.0.0.1:8000/curate)
    """
    import uvicorn

    from kg.graph.db import Database
    from kg.seed.texts import texts_dir
    from kg.web.app import TOKEN_ENV, create_app, token_from_environment
    from kg.web.curate import Desk, is_loopback

    if curate and not is_loopback(host):
        err(f"kg: --curate writes into the project's seed files, so it serves only on 127.0.0.1, not on {host}")
        raise typer.Exit(2)
    if curate and workers != 1:
        err("kg: --curate serves in one process (one desk, one CSRF token, one writer): leave out --workers")
        raise typer.Exit(2)

    token = token_from_environment() if auth else None
    if auth and token is None:
        err(f"kg: --auth needs the token in the environment: set {TOKEN_ENV} (it is never an option, so it "
            "stays out of shell history and process lists)")
        raise typer.Exit(2)
    conn: Connection = ctx.obj
    settings = conn.settings()
    folder = texts_dir(texts)
    desk = None
    if curate:
        from kg.project import writable_seed_dir

        if folder is None:
            err("kg: --curate checks every quote against the article's pinned text: give --texts DIR or set KG_TEXTS")
            raise typer.Exit(2)
        seed = writable_seed_dir()  # the project's own seed/ (a usage error outside any project)
        desk = Desk(seed, folder, desk_loader(settings, folder))
    with Database(settings) as db:
        db.server_info()  # Neo4j answers, or one line and exit 1
    asked = "; every request must carry the token" if token else ""
    err(f"serving the graph of {settings.uri} at http://{host}:{port}/{asked} (Ctrl-C stops)")
    if desk is not None:
        err(f"the curation desk of {desk.seed_dir}: http://{host}:{port}/curate")
    if host not in ("127.0.0.1", "localhost", "::1") and token is None:
        err(f"note: {host} shares the graph with that network, with no login (kg serve --auth asks for a token)")
    if workers == 1:
        uvicorn.run(create_app(settings, folder, token, desk=desk), host=host, port=port, log_level="warning")
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
