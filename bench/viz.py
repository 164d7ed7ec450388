"""Benchmark: how long a large view takes to build, to lay out, and to answer in the browser.

    .venv/bin/python bench/viz.py                 # 2,000 nodes, about 5,000 links
    .venv/bin/python bench/viz.py --nodes 500 1000 2000 4000

No database is needed: the graph is synthetic (every kind of node, names, aliases, citations
with quotes, dated links), built as a `kg.views.build.View` and rendered by the same code as `kg viz`.
For each size it reports
- build: Python time to make the page (pyvis data + template), and the file size;
- ready: from navigation to `window.kgReady` in headless Chromium (parse, bounded physics
  stabilisation, physics off), with the network blocked as in the tests;
- click: time for `kgShow(id)` to select a node and fill the side panel;
- frame: time for one full redraw of the canvas, still; frame_moving: the same while the view is
  dragged or zoomed (big graphs leave their links out then, `hideEdgesOnDrag`/`hideEdgesOnZoom`).
Results go to stdout and to bench/results/viz.json (not committed).
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
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]
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


def measure(n_nodes: int, browser: object, folder: Path) -> dict[str, float]:
    view = synthetic(n_nodes)
    started = time.perf_counter()
    html = view_page.page(view)
    built = time.perf_counter() - started
    path = folder / f"bench-{n_nodes}.html"
    path.write_text(html, encoding="utf-8")
    own = path.resolve().as_uri()
    context = browser.new_context(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
    blocked: list[str] = []
    context.route("**/*", lambda r: r.continue_() if r.request.url == own else (blocked.append(r.request.url),
                                                                                r.abort()))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    started = time.perf_counter()
    page.goto(own)
    page.wait_for_function("() => window.kgReady === true", timeout=600_000)
    ready = time.perf_counter() - started
    layout_ms = page.evaluate("() => window.kgStats.layoutMs")
    clicks = [page.evaluate("(id) => { const t = performance.now(); kgShow(id); return performance.now() - t; }",
                            f"n{i}") for i in range(0, n_nodes, max(1, n_nodes // 10))]
    frame = """() => { const out = [];
        for (let i = 0; i < 10; i++) { const t = performance.now(); kgNetwork.renderer._redraw();
          out.push(performance.now() - t); } return out; }"""
    frames = page.evaluate(frame)
    # while a big graph is dragged or zoomed, vis-network leaves its links out (hideEdgesOnDrag/Zoom)
    page.evaluate("() => { kgNetwork.renderer.dragging = kgNetwork.body.nodeIndices.length > 400; }")
    moving = page.evaluate(frame)
    page.evaluate("() => { kgNetwork.renderer.dragging = false; }")
    drawn = page.evaluate("() => [kgNetwork.body.data.nodes.length, kgNetwork.body.data.edges.length]")
    page.screenshot(path=str(folder / f"bench-{n_nodes}.png"))
    context.close()
    assert not blocked and not errors, (blocked, errors)
    assert drawn == [len(view.nodes), len(view.edges)], drawn
    return {"nodes": len(view.nodes), "edges": len(view.edges), "build_s": round(built, 3),
            "size_kb": round(len(html.encode()) / 1024), "ready_s": round(ready, 2), "layout_ms": layout_ms,
            "click_ms": round(statistics.median(clicks), 1), "frame_ms": round(statistics.median(frames), 1),
            "frame_moving_ms": round(statistics.median(moving), 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nodes", type=int, nargs="+", default=[2000])
    parser.add_argument("--keep", type=Path, help="keep the pages and screenshots in this folder")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    results = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for n in args.nodes:
            row = measure(n, browser, folder)
            results.append(row)
            print(json.dumps(row), flush=True)
        browser.close()
    out = Path(__file__).parent / "results" / "viz.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
