"""`kg viz`, `kg browse` and `kg docs`: views of the graph, Neo4j Browser, the generated documents."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from kg.cli.app import Connection, app, err, password_file
from kg.cli.options import Params


class Renderer(StrEnum):
    """What draws a view (kg.views.page.RENDERERS): vis-network, sigma.js, or by its size."""

    auto = "auto"
    vis = "vis"
    sigma = "sigma"


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
    renderer: Annotated[Renderer, typer.Option("--renderer", help="what draws it: vis (vis-network, canvas), "
                                               "sigma (sigma.js, WebGL, for large views), or auto: sigma above "
                                               "1,000 nodes or 2,500 links")] = Renderer.auto,
) -> None:
    """Write an interactive view of the graph: one self-contained HTML file that opens offline, with a
    time slider over the dated facts and filters by confidence and source.

    \b
    Without options: the whole graph. Examples:
      kg viz --out out/graph.html
      kg viz --query stop-orders -p agency="Toronto police" --out out/stop-orders.html
      kg viz --focus "Hamilton police" --depth 2 --out out/hamilton.html
      kg viz --as-of 2019-11 --out out/november-2019.html
      kg viz --renderer sigma --out out/graph-webgl.html
    """
    from kg.questions.catalogue import get
    from kg.questions.params import bind, parse_assignments
    from kg.views.build import build, check_as_of
    from kg.views.page import choose, write

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
        as_of = check_as_of(as_of)
    with conn.open() as db:
        view = build(db, query=query, params=args, focus=focus, depth=depth, provenance=provenance,
                      title=title, as_of=as_of)
    drawn = choose(view, renderer.value)
    write(view, out, drawn)
    nodes, edges = view.counts
    err(f"wrote {out} ({nodes} node{'s' if nodes != 1 else ''}, {edges} edge{'s' if edges != 1 else ''}), "
        f"drawn by {'sigma.js' if drawn == 'sigma' else 'vis-network'}")


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
    from kg.browser import urls as browser_urls
    from kg.config import read_state, state_dir

    where = browser_urls.entry(read_state(state_dir()))
    typer.echo(f"Browser:  {where.browser}")
    typer.echo(f"User:     {where.username}  (password: NEO4J_PASSWORD, or the file {password_file()})")
    typer.echo(f"Guide:    :play {where.guide}")
    typer.echo(f"Style:    :style {where.style}")
    if where.backend == "unknown":
        err("no server started by `kg db up` here: these are the URLs of `docker compose up` (kg-guide serves "
            "the guide); a server of your own serves no guide")
    err("Connect as this user, then type a command into the Browser's editor; kg's servers already apply the "
        f"style and open the guide when you connect (in the sidebar: :guide {where.guide}).")
    if open_it and not browser_urls.open_in_web_browser(where.browser):
        err(f"no graphical web browser is available here; open {where.browser} yourself")
