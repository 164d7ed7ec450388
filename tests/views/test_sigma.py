"""The sigma.js pages of `kg viz` (large views: WebGL, ForceAtlas2 in a web worker), opened in
headless Chromium with every request blocked, as tests/views/test_viz.py opens the vis-network ones.

Most views here are small and forced to sigma.js (`renderer="sigma"`); one is just above the size
from which `auto` picks it. No database is needed: the views are made here. (How long a
20,000-node page takes is measured by bench/viz.py, not here.)
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from bench.viz import synthetic
from kg.errors import KgError
from kg.views import build, sigma
from kg.views import page as view_page
from tests.conftest import run_kg
from tests.views.test_viz import Elements, opened

EVIL_NAME = '<img src=x onerror="window.pwned=1">'
EVIL_QUOTE = "</script><script>window.pwned=2</script> & <!-- said so"
EVIL_TITLE = "<b onmouseover=window.pwned=3>An article</b>"
QUOTE = "the service used the app on a trial basis"


def _cite(source: str, quote: str, confidence: str = "high") -> dict[str, Any]:
    return {"sources": [source], "quotes": [quote], "confidences": [confidence], "confidence": confidence}


def small_view() -> build.View:
    """Two agencies, a product, a hostile name, a statement of February 2020; links from 2019-12,
    from 2021 and undated; two sources, one of them with a hostile title."""
    def node(i: str, label: str, name: str, **props: Any) -> dict[str, Any]:
        return {"id": i, "labels": ["Entity", label], "props": {"id": i, "name": name, **props}, "mentioned_by": []}

    nodes = [node("agency", "PoliceAgency", "Springfield Police Service", aliases=["Springfield police"]),
             node("other", "PoliceAgency", "Shelbyville Police"),
             node("app", "Product", "Face matching app"),
             node("evil", "Person", EVIL_NAME, aliases=["<b>bold</b> alias"]),
             node("st", "Statement", "A statement", date="2020-02-05", date_precision="day",
                  **_cite("src-a", "we never used it", "medium"))]
    edges = [{"id": "e-used", "type": "USED", "from": "agency", "to": "app",
              "props": {"key": "k1", "start": "2019-12", "start_precision": "month", **_cite("src-a", QUOTE)}},
             {"id": "e-later", "type": "USED", "from": "other", "to": "app",
              "props": {"key": "k2", "start": "2021", "start_precision": "year", **_cite("src-b", EVIL_QUOTE)}},
             {"id": "e-made", "type": "MADE", "from": "evil", "to": "st", "props": {"key": "k3"}},
             {"id": "e-role", "type": "HOLDS_ROLE", "from": "evil", "to": "agency",
              "props": {"key": "k4", **_cite("src-b", "the chief said", "low")}}]
    sources: dict[str, dict[str, Any]] = {
        "src-a": {"id": "src-a", "title": "Police used the app", "publisher": ["A Paper"], "published": "2020-02-28"},
        "src-b": {"id": "src-b", "title": EVIL_TITLE, "url": "javascript:window.pwned=4"}}
    return build.View("Springfield <i>and</i> around", "a small view", nodes, edges, sources)


def write(view: build.View, path: Path, renderer: str = "sigma") -> Path:
    path.write_text(view_page.page(view, renderer=renderer), encoding="utf-8")
    return path


def laid_out(page: Any) -> None:
    page.page.wait_for_function("() => window.kgStats.layoutMs !== undefined", timeout=60_000)


def test_a_sigma_view_opens_offline_lays_out_in_a_worker_and_fills_the_panel(browser: Any, tmp_path: Path) -> None:
    view = small_view()
    with opened(browser, write(view, tmp_path / "small.html")) as page:
        stats = page.js("() => window.kgStats")
        assert (stats["renderer"], stats["nodes"], stats["edges"]) == ("sigma", 5, 4)
        assert page.js("() => [kgGraph.order, kgGraph.size]") == [5, 4]
        assert page.js("() => kgGraph.getNodeAttribute('agency', 'label')") == "Springfield Police Service"
        laid_out(page)
        assert page.js("() => window.kgStats.worker") is True  # ForceAtlas2 ran in its web worker
        assert page.js("() => window.kgLayoutRunning") is False
        # kgShow: a link's facts, its date, its source and quote
        assert page.js("(id) => kgShow(id)", "e-used") is True
        panel = page.panel()
        assert QUOTE in panel and "Police used the app" in panel and "month precision" in panel
        # a click on a drawn node selects it and shows its facts
        x, y = page.js("""() => { const d = kgSigma.getNodeDisplayData('app');
                           const p = kgSigma.framedGraphToViewport(d);
                           const r = document.getElementById('kg-network').getBoundingClientRect();
                           return [r.left + p.x, r.top + p.y]; }""")
        page.page.mouse.click(x, y)
        page.page.wait_for_function("() => document.getElementById('kg-info').textContent.includes('Face matching')")
        assert "Links in this view (2)" in page.panel()
        # the find box: an alias, Enter
        page.page.fill("#kg-find", "springfield police")
        page.page.press("#kg-find", "Enter")
        assert "Springfield Police Service" in page.panel() and "PoliceAgency · agency" in page.panel()
        page.screenshot(tmp_path / "small.png")


_SLIDE = """(pos) => { const s = document.getElementById('kg-time');
                       s.value = String(pos === 'end' ? s.max : pos); s.dispatchEvent(new Event('input'));
                       return window.kgTimeState; }"""
_HIDDEN = "(id) => { kgSigma.refresh(); return kgSigma.getEdgeDisplayData(id).hidden === true; }"


def test_the_time_slider_and_the_filters_hide_what_they_leave_out(browser: Any, tmp_path: Path) -> None:
    view = small_view()
    view.as_of = "2020"
    with opened(browser, write(view, tmp_path / "as-of.html")) as page:
        state = page.js("() => kgTimeState")
        assert state["stop"] == "2020" and state["links"] == 3 and state["counts"]["later"] == 1
        assert page.js(_HIDDEN, "e-later") is True and page.js(_HIDDEN, "e-used") is False
        end = page.js(_SLIDE, "end")
        assert end["stop"] is None and end["links"] == 4 and page.js(_HIDDEN, "e-later") is False
        page.page.select_option("#kg-source", "src-b")
        filtered = page.js("() => kgTimeState")
        assert filtered["counts"]["filtered"] > 0 and page.js(_HIDDEN, "e-used") is True
        assert page.js(_HIDDEN, "e-later") is False
        page.page.select_option("#kg-source", "")
        page.page.get_by_label("low").uncheck()
        assert page.js(_HIDDEN, "e-role") is True and page.js(_HIDDEN, "e-used") is False
        counts = page.js("() => document.getElementById('kg-counts').textContent")
        assert counts == "5 of 5 nodes, 3 of 4 links"


def test_names_and_quotes_from_others_stay_text(browser: Any, tmp_path: Path) -> None:
    view = small_view()
    html = view_page.page(view, renderer="sigma", title=EVIL_NAME)
    assert EVIL_NAME not in html and EVIL_QUOTE not in html and EVIL_TITLE not in html
    with opened(browser, write(view, tmp_path / "evil.html")) as page:
        laid_out(page)
        assert page.js("() => kgGraph.getNodeAttribute('evil', 'label')") == EVIL_NAME  # drawn literally
        assert page.js("(id) => kgShow(id)", "evil") is True
        assert EVIL_NAME in page.panel() and "<b>bold</b> alias" in page.panel()
        assert page.js("(id) => kgShow(id)", "e-later") is True
        assert EVIL_QUOTE in page.panel() and EVIL_TITLE in page.panel()
        # hovering: the tooltip is text (once the camera has come to rest on the node kgShow zoomed to)
        page.page.wait_for_function("() => !kgSigma.getCamera().isAnimated()")
        x, y = page.js("""() => { const p = kgSigma.framedGraphToViewport(kgSigma.getNodeDisplayData('evil'));
                           const r = document.getElementById('kg-network').getBoundingClientRect();
                           return [r.left + p.x, r.top + p.y]; }""")
        page.page.mouse.move(x, y, steps=5)  # sigma.js finds what is under the mouse as it moves
        page.page.wait_for_function("() => !document.getElementById('kg-tip').hidden")
        assert page.js("() => document.getElementById('kg-tip').textContent").startswith(EVIL_NAME)
        assert page.js("() => document.getElementById('kg-tip').children.length") == 0
        assert page.js("() => document.querySelectorAll('img, iframe, a[href^=javascript]').length") == 0
        assert page.js("() => typeof window.pwned") == "undefined"


def test_the_page_allows_its_own_two_scripts_and_a_blob_worker_only(tmp_path: Path) -> None:
    html = view_page.page(small_view(), renderer="sigma")
    parser = Elements()
    parser.feed(html)
    assert [t for t, a in parser.tags if "src" in a or "href" in a or t in ("link", "iframe", "img", "base")] == []
    assert [a.get("type") for t, a in parser.tags if t == "script"] == ["application/json", None, None]
    csp = next(a["content"] or "" for t, a in parser.tags if t == "meta" and a.get("http-equiv") ==
               "Content-Security-Policy")
    directives = dict((d.split()[0], d.split()[1:]) for d in csp.split(";") if d.strip())
    assert directives["default-src"] == ["'none'"] and directives["worker-src"] == ["blob:"]
    assert len(directives["script-src"]) == 2 and all(s.startswith("'sha256-") for s in directives["script-src"])
    assert "connect-src" not in directives  # no fetch, no XHR, no WebSocket: default-src 'none'
    generator = next(a["content"] for t, a in parser.tags if t == "meta" and a.get("name") == "generator")
    assert "sigma.js" in (generator or "")
    # the vis-network pages allow no worker at all
    assert "worker-src" not in view_page.page(small_view(), renderer="vis")


def test_auto_draws_with_sigma_above_the_threshold_and_vis_below(browser: Any, tmp_path: Path) -> None:
    at = synthetic(sigma.ABOVE_NODES, links_per_node=1)
    above = synthetic(sigma.ABOVE_NODES + 1, links_per_node=1)
    assert view_page.choose(at) == "vis" and view_page.choose(above) == "sigma"
    many_links = synthetic(50, links_per_node=(sigma.ABOVE_EDGES + 1) / 50)
    assert len(many_links.edges) > sigma.ABOVE_EDGES and view_page.choose(many_links) == "sigma"
    assert view_page.choose(above, "vis") == "vis" and view_page.choose(small_view(), "sigma") == "sigma"
    # many links: thin lines and points (no link picking); a link's facts are still one kgShow away
    with opened(browser, write(many_links, tmp_path / "many-links.html", renderer="auto")) as page:
        assert page.js("() => [kgStats.renderer, kgSigma.getEdgeDisplayData('e5').type, "
                       "kgSigma.getNodeDisplayData('n5').type, kgSigma.getSetting('enableEdgeEvents')]") == [
            "sigma", "thin", "point", False]
        assert page.js("(id) => kgShow(id)", "e5") is True and "Article" in page.panel()
    with pytest.raises(KgError, match="no renderer"):
        view_page.choose(at, "svg")
    assert '"renderer":"vis"' in view_page.page(at)
    with opened(browser, write(above, tmp_path / "above.html", renderer="auto")) as page:
        assert page.js("() => [kgStats.renderer, kgGraph.order]") == ["sigma", sigma.ABOVE_NODES + 1]
        assert page.js("(id) => kgShow(id)", "n7") is True and "alias 7" in page.panel()


def test_the_cli_takes_a_renderer_and_says_which_drew(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    env["NEO4J_URI"] = "bolt://127.0.0.1:1"  # nothing listens: the error must come first
    proc = run_kg("viz", "--renderer", "svg", "--out", str(tmp_path / "x.html"), env=env)
    assert proc.returncode == 2 and "--renderer" in proc.stderr and not (tmp_path / "x.html").exists()
    shown = run_kg("viz", "--help").stdout
    assert "auto|vis|sigma" in shown.replace(" ", "")
    # the help says the thresholds kg.views.sigma holds
    assert f"{sigma.ABOVE_NODES:,} nodes or {sigma.ABOVE_EDGES:,} links" in " ".join(shown.replace("│", " ").split())
    assert set(view_page.RENDERERS) == {"auto", "vis", "sigma"}


def test_the_bundle_carries_its_licences_and_the_recipe_pins_its_versions() -> None:
    from tests.conftest import ROOT

    vendor = ROOT / "kg" / "resources" / "vendor"
    licences = (vendor / "sigma.min.js.LICENSES.txt").read_text(encoding="utf-8")
    recipe = json.loads((ROOT / "vendor" / "sigma" / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((ROOT / "vendor" / "sigma" / "package-lock.json").read_text(encoding="utf-8"))
    for name, version in recipe["dependencies"].items():
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
        assert f"{name} {version} (MIT)" in licences
    assert licences.count("Permission is hereby granted") >= 3
    assert "kgSigmaLib" in sigma.bundle()
