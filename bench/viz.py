"""Benchmark: how long a large view takes to build, to lay out, and to answer in the browser, drawn
by each renderer (vis-network, and sigma.js with ForceAtlas2 in a web worker), side by side.

    .venv/bin/python bench/viz.py                 # 2,000, 5,000, 20,000 and 50,000 nodes, 2.5 links each
    .venv/bin/python bench/viz.py --nodes 500 1000 2000 --renderers vis sigma
    .venv/bin/python bench/viz.py --vis-max 5000  # vis-network only up to 5,000 nodes

No database is needed: the graph is synthetic (every kind of node, names, aliases, citations
with quotes, dated links), built as a `kg.views.build.View` and rendered by the same code as `kg viz`.
For each size and renderer it reports
- build: Python time to make the page (the renderer's data + template), and the file size;
- ready: from navigation to `window.kgReady` in headless Chromium, with the network blocked as in
  the tests. vis-network is ready once its bounded physics stabilisation is over (it shows nothing
  before); sigma.js once the graph is drawn and answers, while ForceAtlas2 still runs in its worker;
- layout: from the script's start to the layout staying put (vis-network: the stabilisation;
  sigma.js: the worker's bounded run), so layout_ms can exceed ready_s for sigma.js;
- click: time for `kgShow(id)` to select a node and fill the side panel (after the layout);
- frame: time for one full redraw, still, read back (one pixel) so that the drawing is finished,
  not only queued; frame_moving: the same while the view is dragged or zoomed (vis-network leaves
  its links out then above 400 nodes, sigma.js above 20,000 links).
vis-network is measured up to --vis-max nodes (its pyvis data is quadratic to build and its
stabilisation takes minutes above that: the row says it was skipped), and gives up after
--timeout seconds. Results go to stdout and to bench/results/viz.json (not committed).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from kg.graph.palette import PALETTE
from kg.views import build
from kg.views import page as view_page

CHROMIUM = "/usr/bin/chromium"
# no GPU here: WebGL (sigma.js) runs on SwiftShader, which Chromium offers only when asked
ARGS = ["--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
WORDS = ["police", "service", "privacy", "commissioner", "facial", "recognition", "trial", "access", "officers",
         "statement", "review", "investigation", "conference", "vendor", "product", "report", "breach", "order",
         "Clearview", "Toronto", "Edmonton", "Hamilton"]
TYPES = ("MADE", "ABOUT", "ON_BEHALF_OF", "HAD_ACCESS", "USED", "PART_OF", "HOLDS_ROLE", "ORDERED_STOP", "CONDUCTS")


def synthetic(n_nodes: int, links_per_node: float = 2.5, seed: int = 1) -> build.View:
    rng = random.Random(seed)  # noqa: S311 - a reproducible synthetic graph, not a secret
    kinds = [k for k in PALETTE if k != "Source"]
    sources = {f"src-{i}": {"id": f"src-{i}", "title": f"Article {i} about {' '.join(rng.sample(WORDS, 4))}",
                            "publisher": ["A News Outlet"], "published": "2020-02"} for i in range(20)}

    def cited() -> dict[str, object]:
        chosen = rng.sample(sorted(sources), rng.randint(1, 2))
        return {"sources": chosen, "quotes": [" ".join(rng.choices(WORDS, k=18)) for _ in chosen],
                "confidences": ["high"] * len(chosen), "confidence": "high"}

    nodes = []
    for i in range(n_nodes):
        kind = rng.choice(kinds)
        props: dict[str, object] = {"id": f"n{i}", "name": " ".join(rng.choices(WORDS, k=rng.randint(2, 7))).title(),
                                    "aliases": [f"alias {i}"]}
        if kind in ("Statement", "Event", "Figure", "Report", "Investigation"):
            props.update(cited(), date="2020-02-05", date_precision="day", date_as_written="on Wednesday")
        nodes.append({"id": f"n{i}", "labels": ["Entity", kind], "props": props, "mentioned_by": ["src-1"]})
    edges = []
    for j in range(int(n_nodes * links_per_node)):
        a = rng.randrange(n_nodes)
        b = min(n_nodes - 1, max(0, int(rng.gauss(a, n_nodes / 20))))  # mostly local: a graph with structure
        props = {"key": f"k{j}", **cited()}
        if rng.random() < 0.2:
            props.update(start="2019-12", start_precision="month")
        edges.append({"id": f"e{j}", "type": rng.choice(TYPES), "from": f"n{a}", "to": f"n{b}", "props": props})
    return build.View(f"Synthetic graph, {n_nodes} nodes", "benchmark", nodes, edges, sources)


#: one full redraw, then one pixel read back (which waits for the drawing to be done), ten times;
#: `moving`: as while the view is dragged or zoomed
FRAMES = {
    "vis": """(moving) => { const r = kgNetwork.renderer, out = [];
        const ctx = kgNetwork.canvas.frame.canvas.getContext("2d");
        r.dragging = moving && kgNetwork.body.nodeIndices.length > 400;  // hideEdgesOnDrag/Zoom then
        for (let i = 0; i < 10; i++) { const t = performance.now(); r._redraw(); ctx.getImageData(0, 0, 1, 1);
          out.push(performance.now() - t); }
        r.dragging = false; return out; }""",
    "sigma": """(moving) => { const s = kgSigma, out = [], px = new Uint8Array(4);
        const gls = Object.values(s.webGLContexts || {});
        s.mouseCaptor.isMoving = moving;  // hideEdgesOnMove/hideLabelsOnMove then
        for (let i = 0; i < 10; i++) { const t = performance.now(); s.render();
          gls.forEach((gl) => gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px));
          out.push(performance.now() - t); }
        s.mouseCaptor.isMoving = false; return out; }""",
}
DRAWN = {"vis": "() => [kgNetwork.body.data.nodes.length, kgNetwork.body.data.edges.length]",
         "sigma": "() => [kgGraph.order, kgGraph.size]"}


def measure(view: build.View, renderer: str, browser: object, folder: Path, timeout_s: float) -> dict[str, object]:
    n_nodes = len(view.nodes)
    row: dict[str, object] = {"nodes": n_nodes, "edges": len(view.edges), "renderer": renderer}
    started = time.perf_counter()
    html = view_page.page(view, renderer=renderer)
    built = time.perf_counter() - started
    path = folder / f"bench-{n_nodes}-{renderer}.html"
    path.write_text(html, encoding="utf-8")
    row.update(build_s=round(built, 2), size_kb=round(len(html.encode()) / 1024))
    del html
    own = path.resolve().as_uri()
    context = browser.new_context(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
    blocked: list[str] = []
    context.route("**/*", lambda r: r.continue_() if r.request.url == own else (blocked.append(r.request.url),
                                                                                r.abort()))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        started = time.perf_counter()
        page.goto(own, timeout=timeout_s * 1000)
        page.wait_for_function("() => window.kgReady === true", timeout=timeout_s * 1000)
        row["ready_s"] = round(time.perf_counter() - started, 2)
        page.wait_for_function("() => window.kgStats.layoutMs !== undefined", timeout=timeout_s * 1000)
    except Exception as e:  # a timeout: say so, do not hang
        row["skipped"] = f"gave up after {timeout_s:.0f} s ({type(e).__name__})"
        context.close()
        return row
    row["layout_ms"] = page.evaluate("() => window.kgStats.layoutMs")
    clicks = [page.evaluate("(id) => { const t = performance.now(); kgShow(id); return performance.now() - t; }",
                            f"n{i}") for i in range(0, n_nodes, max(1, n_nodes // 10))]
    page.evaluate("() => kgShow('n0', false)")
    page.wait_for_timeout(500)  # the camera's animation, if any, is over
    frames = page.evaluate(FRAMES[renderer], False)
    moving = page.evaluate(FRAMES[renderer], True)
    drawn = page.evaluate(DRAWN[renderer])
    page.screenshot(path=str(folder / f"bench-{n_nodes}-{renderer}.png"))
    context.close()
    assert not blocked and not errors, (blocked, errors)
    assert drawn == [len(view.nodes), len(view.edges)], drawn
    row.update(click_ms=round(statistics.median(clicks), 1), frame_ms=round(statistics.median(frames), 1),
               frame_moving_ms=round(statistics.median(moving), 1))
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nodes", type=int, nargs="+", default=[2000, 5000, 20000, 50000])
    parser.add_argument("--renderers", nargs="+", choices=["vis", "sigma"], default=["vis", "sigma"])
    parser.add_argument("--vis-max", type=int, default=20000, help="vis-network only up to this many nodes")
    parser.add_argument("--timeout", type=float, default=300, help="give a page up after this many seconds")
    parser.add_argument("--keep", type=Path, help="keep the pages and screenshots in this folder")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    results = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for n in args.nodes:
            view = synthetic(n)
            for renderer in args.renderers:
                if renderer == "vis" and n > args.vis_max:
                    row: dict[str, object] = {"nodes": n, "edges": len(view.edges), "renderer": renderer,
                                              "skipped": f"above --vis-max {args.vis_max}: pyvis builds its data "
                                                         "in quadratic time and the stabilisation takes minutes"}
                else:
                    row = measure(view, renderer, browser, folder, args.timeout)
                results.append(row)
                print(json.dumps(row), flush=True)
        browser.close()
    out = Path(__file__).parent / "results" / "viz.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
