"""`kg viz`: self-contained HTML views, opened in headless Chromium with every request blocked.

Each page must draw exactly the nodes and links the graph holds for its view (counted here with
Cypher written independently of kg/views/viz.py), make no request outside its own file, log no error,
and show names and quotes written by others as text only. Every test leaves a screenshot in its
output folder; with KG_UPDATE_SCREENSHOTS=1 the seed-graph views are also copied to docs/img/.
(How long a 2,000-node page takes to become interactive is measured by bench/viz.py, not here.)
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from kg.graph.db import Database
from kg.graph.schema import PROVENANCE_RELS
from kg.views import build
from kg.views import page as view_page
from tests.conftest import ROOT, ServerHandle, run_kg

HIDDEN = list(PROVENANCE_RELS)
DOCS_IMG = ROOT / "docs" / "img"
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = tmp_path / "screenshots"
    folder.mkdir()
    return folder


@dataclass
class Opened:
    """A page opened from a file, with everything it tried to fetch and every error it logged."""

    page: Any
    url: str
    blocked: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def js(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)

    def drawn(self) -> tuple[set[str], set[str], int, int]:
        """Node ids and edge ids in the network, and how many of each vis-network draws."""
        ids = self.js("() => [kgNetwork.body.data.nodes.getIds(), kgNetwork.body.data.edges.getIds(), "
                      "kgNetwork.body.nodeIndices.length, kgNetwork.body.edgeIndices.length]")
        return set(ids[0]), set(ids[1]), ids[2], ids[3]

    def panel(self) -> str:
        return str(self.js("() => document.getElementById('kg-info').textContent"))

    def assert_clean(self) -> None:
        assert self.blocked == [], f"the page tried to fetch {self.blocked}"
        # data: and blob: URLs are the page's own (a blob: is ForceAtlas2's worker, made from its own code)
        outside = [u for u in self.requests if u != self.url and not u.startswith(("data:", "blob:"))]
        assert outside == [], f"requests outside the file: {outside}"
        assert self.errors == [], f"the page logged errors: {self.errors}"

    def screenshot(self, path: Path) -> Path:
        self.page.screenshot(path=str(path))
        assert path.stat().st_size > 10_000 and path.read_bytes()[:8] == PNG
        return path


@contextmanager
def opened(browser: Any, path: Path) -> Iterator[Opened]:
    url = path.resolve().as_uri()
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    result = Opened(page=None, url=url)

    def route(route: Any) -> None:  # the page's own file, and nothing else
        if route.request.url == url:
            route.continue_()
        else:
            result.blocked.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    result.page = page
    page.on("request", lambda request: result.requests.append(request.url))
    page.on("console", lambda message: result.errors.append(f"console: {message.text}")
            if message.type == "error" else None)
    page.on("pageerror", lambda error: result.errors.append(f"pageerror: {error}"))
    try:
        page.goto(url)
        page.wait_for_function("() => window.kgReady === true", timeout=120_000)
        yield result
        result.assert_clean()
    finally:
        context.close()


def publish(shot: Path, name: str) -> None:
    """Copy a screenshot of a seed-graph view into docs/img/ when asked to (KG_UPDATE_SCREENSHOTS=1)."""
    if os.environ.get("KG_UPDATE_SCREENSHOTS") == "1":
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, DOCS_IMG / name)


def expected(db: Database, ids: list[str]) -> tuple[set[str], int]:
    """The ids (without sources) and the number of non-provenance relationships among them."""
    row = db.read("MATCH (n:Entity) WHERE n.id IN $ids AND NOT n:Source WITH collect(n.id) AS ids "
                  "RETURN ids, COUNT { MATCH (a:Entity)-[r]->(b:Entity) WHERE a.id IN ids AND b.id IN ids "
                  "AND NOT type(r) IN $hidden } AS links", {"ids": ids, "hidden": HIDDEN})[0]
    return set(row["ids"]), row["links"]


class Elements(HTMLParser):
    """Every start tag of a document, with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


# --- the seed graph ---------------------------------------------------------------------------------

@pytest.mark.db
def test_whole_graph_from_the_cli(server: ServerHandle, seeded: Database, browser: Any, tmp_path: Path,
                                  shots: Path) -> None:
    out = tmp_path / "views" / "graph.html"
    proc = run_kg("viz", "--out", str(out), env=server.env())
    assert proc.returncode == 0, proc.stderr
    nodes = seeded.read("MATCH (n:Entity) WHERE NOT n:Source RETURN collect(n.id) AS ids")[0]["ids"]
    links = seeded.read("MATCH (a:Entity)-[r]->(b:Entity) WHERE NOT type(r) IN $hidden RETURN count(r) AS n",
                        {"hidden": HIDDEN})[0]["n"]
    assert f"wrote {out} ({len(nodes)} nodes, {links} edges)" in proc.stderr
    with opened(browser, out) as page:
        drawn_nodes, drawn_edges, n_drawn, e_drawn = page.drawn()
        assert drawn_nodes == set(nodes) and n_drawn == len(nodes)
        assert len(drawn_edges) == links and e_drawn == links
        stats = page.js("() => window.kgStats")
        assert (stats["nodes"], stats["edges"]) == (len(nodes), links)
        assert page.js("() => kgNetwork.physics.physicsEnabled") is False  # stabilised, then stopped
        legend = page.js("() => document.getElementById('kg-legend').textContent")
        assert "PoliceAgency" in legend and "Statement" in legend and "--provenance" in legend
        # a link's facts: Toronto police's use of the app, with its date, confidence, source and quote
        used = page.js("() => kgNetwork.body.data.edges.get().find(e => e.from === 'toronto-police' "
                       "&& e.to === 'clearview-app' && e.label.startsWith('used'))")
        assert used["label"] == "used (from 2019-10)" and "Toronto Police Service → used →" in used["title"]
        assert page.js("(id) => kgShow(id, false)", used["id"]) is True
        quote = seeded.read("MATCH (:Entity {id: 'toronto-police'})-[r:USED]->(:Entity {id: 'clearview-app'}) "
                            "RETURN r.quotes[0] AS q")[0]["q"]
        assert quote in page.panel() and "month precision" in page.panel()
        publish(page.screenshot(shots / "graph.png"), "graph.png")


@pytest.mark.db
def test_the_whole_graph_drawn_by_sigma_from_the_cli(server: ServerHandle, seeded: Database, browser: Any,
                                                     tmp_path: Path, shots: Path) -> None:
    out = tmp_path / "graph-sigma.html"
    proc = run_kg("viz", "--renderer", "sigma", "--out", str(out), env=server.env())
    assert proc.returncode == 0, proc.stderr
    assert "drawn by sigma.js" in proc.stderr
    nodes = seeded.read("MATCH (n:Entity) WHERE NOT n:Source RETURN count(n) AS n")[0]["n"]
    links = seeded.read("MATCH (a:Entity)-[r]->(b:Entity) WHERE NOT type(r) IN $hidden RETURN count(r) AS n",
                        {"hidden": HIDDEN})[0]["n"]
    with opened(browser, out) as page:
        assert page.js("() => [kgStats.renderer, kgGraph.order, kgGraph.size]") == ["sigma", nodes, links]
        used = page.js("() => kgGraph.filterEdges((e, a, s, t) => s === 'toronto-police' && t === 'clearview-app' "
                       "&& a.label.startsWith('used'))[0]")
        assert page.js("(id) => kgShow(id, false)", used) is True
        quote = seeded.read("MATCH (:Entity {id: 'toronto-police'})-[r:USED]->(:Entity {id: 'clearview-app'}) "
                            "RETURN r.quotes[0] AS q")[0]["q"]
        assert quote in page.panel() and "month precision" in page.panel()
        page.screenshot(shots / "graph-sigma.png")
    assert "drawn by vis-network" in run_kg("viz", "--out", str(tmp_path / "auto.html"), env=server.env()).stderr


@pytest.mark.db
def test_a_named_question_view_draws_what_it_returns(seeded: Database, browser: Any, tmp_path: Path,
                                                      shots: Path) -> None:
    # the agencies that denied use, both statements, who made the later one: worked out without kg.views.viz
    ids = seeded.read(
        "MATCH (later:Statement)-[:CORRECTS]->(denial:Statement {stance: 'denial'})-[:ON_BEHALF_OF]->"
        "(agency:PoliceAgency) OPTIONAL MATCH (who)-[:MADE]->(later) "
        "RETURN collect(DISTINCT agency.id) + collect(DISTINCT denial.id) + collect(DISTINCT later.id) "
        "+ collect(DISTINCT who.id) AS ids"
    )[0]["ids"]
    want_nodes, want_links = expected(seeded, ids)
    assert {"toronto-police", "st-toronto-denial", "st-toronto-admission"} <= want_nodes

    view = build.query_view(seeded, "denied-then-admitted")
    assert {n["id"] for n in view.nodes} == want_nodes and len(view.edges) == want_links
    out = tmp_path / "denied-then-admitted.html"
    out.write_text(view_page.render(seeded, query="denied-then-admitted"), encoding="utf-8")
    with opened(browser, out) as page:
        drawn_nodes, drawn_edges, n_drawn, e_drawn = page.drawn()
        assert drawn_nodes == want_nodes and (len(drawn_edges), n_drawn, e_drawn) == (want_links, len(want_nodes),
                                                                                       want_links)
        # clicking a statement shows its date, precision, the words as written, and each source with its quote
        assert page.js("(id) => kgShow(id)", "st-toronto-admission") is True
        panel = page.panel()
        quote = seeded.read("MATCH (s:Statement {id: 'st-toronto-admission'}) RETURN s.quotes[0] AS q")[0]["q"]
        assert quote in panel and "month precision" in panel and "“last week”" in panel
        assert "CBC News" in panel and "confidence" in panel
        page.screenshot(shots / "denied-then-admitted.png")


@pytest.mark.db
def test_a_query_view_draws_the_declared_columns_only(seeded: Database, tmp_path: Path) -> None:
    # an agency by id, a relationship by its key (both ends), and undeclared cells that look like
    # ids, names and quotes of the graph: only the declared ones become nodes
    (tmp_path / "picks.cypher").write_text(
        "/*\nname: picks\ntitle: Picks\ndescription: d\nparams: {}\n"
        "columns: {agency_id: entity, fact: fact, nobody: entities}\n*/\n"
        "MATCH (a:PoliceAgency {id: 'toronto-police'}), (h:PoliceAgency {id: 'hamilton-police'})\n"
        "MATCH (:Person {id: 'frank-bergen'})-[r:MADE]->(st:Statement)\n"
        "WITH a, h, r, st ORDER BY st.id LIMIT 1\n"
        "RETURN a.id AS agency_id, r.key AS fact, [] AS nobody, 'eps' AS looks_like_an_id, h.name AS name,\n"
        "       st.quotes AS quotes, [x IN ['ev-hamilton-foi-request', 'clearview-app'] | x] AS more_ids\n",
        encoding="utf-8")
    made = seeded.read("MATCH (:Person {id: 'frank-bergen'})-[:MADE]->(st:Statement) "
                       "RETURN st.id AS id ORDER BY id LIMIT 1")[0]["id"]
    want_nodes, want_links = expected(seeded, ["toronto-police", "frank-bergen", made])
    assert want_nodes == {"toronto-police", "frank-bergen", made}
    view = build.query_view(seeded, "picks", folder=tmp_path)
    assert {n["id"] for n in view.nodes} == want_nodes and len(view.edges) == want_links


@pytest.mark.db
def test_a_query_view_with_an_entity_parameter_via_the_cli(server: ServerHandle, seeded: Database, browser: Any,
                                                           tmp_path: Path, shots: Path) -> None:
    out = tmp_path / "stop-orders.html"
    proc = run_kg("viz", "--query", "stop-orders", "-p", "agency=Toronto police", "--out", str(out),
                  env=server.env())
    assert proc.returncode == 0, proc.stderr
    # stop orders for Toronto police or a group it is part of: who ordered, for whom, which product
    ids = seeded.read("MATCH (who)-[s:ORDERED_STOP]->(t:Entity) WHERE t.id = 'toronto-police' "
                      "OR EXISTS { (:Entity {id: 'toronto-police'})-[:PART_OF]->(t) } "
                      "RETURN collect(DISTINCT who.id) + collect(DISTINCT t.id) + ['toronto-police'] "
                      "+ [p IN collect(DISTINCT s.product) WHERE p IS NOT NULL] AS ids")[0]["ids"]
    want_nodes, want_links = expected(seeded, ids)
    with opened(browser, out) as page:
        drawn_nodes, drawn_edges, _, _ = page.drawn()
        assert drawn_nodes == want_nodes and len(drawn_edges) == want_links
        labels = page.js("() => kgNetwork.body.data.edges.get().map(e => e.label)")
        assert any(label.startswith("ordered stop (2020-02") for label in labels)  # a dated link shows its date
        page.screenshot(shots / "stop-orders.png")


@pytest.mark.db
@pytest.mark.parametrize("depth", [1, 2])
def test_a_focus_view_takes_an_alias_and_draws_the_neighbourhood(seeded: Database, browser: Any, tmp_path: Path,
                                                                  shots: Path, depth: int) -> None:
    ids = seeded.read(
        f"MATCH (:Entity {{id: 'hamilton-police'}})-[:{'&'.join('!' + t for t in HIDDEN)}]-{{0,$depth}}"
        "(m:Entity) RETURN collect(DISTINCT m.id) AS ids".replace("$depth", str(depth)))[0]["ids"]
    want_nodes, want_links = expected(seeded, ids)
    assert len(want_nodes) > (30 if depth == 2 else 10)
    out = tmp_path / "hamilton.html"
    out.write_text(view_page.render(seeded, focus="Hamilton police", depth=depth), encoding="utf-8")  # an alias
    with opened(browser, out) as page:
        drawn_nodes, drawn_edges, n_drawn, e_drawn = page.drawn()
        assert drawn_nodes == want_nodes and (len(drawn_edges), n_drawn, e_drawn) == (want_links, len(want_nodes),
                                                                                       want_links)
        assert "Hamilton Police Service" in page.panel()  # the page opens on the centre's facts
        shot = page.screenshot(shots / f"focus-{depth}.png")
        if depth == 1:
            publish(shot, "focus.png")


@pytest.mark.db
def test_provenance_draws_sources_and_their_links(seeded: Database, browser: Any, tmp_path: Path,
                                                  shots: Path) -> None:
    nodes = seeded.read("MATCH (n:Entity) RETURN count(n) AS n")[0]["n"]
    links = seeded.read("MATCH (:Entity)-[r]->(:Entity) RETURN count(r) AS n")[0]["n"]
    out = tmp_path / "provenance.html"
    out.write_text(view_page.render(seeded, provenance=True), encoding="utf-8")
    with opened(browser, out) as page:
        drawn_nodes, drawn_edges, _, _ = page.drawn()
        assert (len(drawn_nodes), len(drawn_edges)) == (nodes, links)
        assert page.js("(id) => kgShow(id)", "src-cbc-hamilton-2020-02") is True
        page.screenshot(shots / "provenance.png")


@pytest.mark.db
def test_the_page_references_nothing_outside_itself(seeded: Database) -> None:
    html = view_page.render(seeded)
    parser = Elements()
    parser.feed(html)
    assert [t for t, a in parser.tags if "src" in a or "href" in a or t in ("link", "iframe", "img", "base")] == []
    scripts = [a for t, a in parser.tags if t == "script"]
    assert [a.get("type") for a in scripts] == ["application/json", None, None]
    csp = next(a["content"] or "" for t, a in parser.tags if t == "meta" and a.get("http-equiv") ==
               "Content-Security-Policy")
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert not (Path.cwd() / "lib").exists()  # pyvis's `local` mode would have written it


def test_the_neighbourhood_page_of_the_site_links_its_scripts_and_may_fetch_only_its_own_site() -> None:
    """kg site's one neighbourhood page (graph/#ID) carries no data but vis-network's options: its
    script fetches the pieces (kg/views/shards.py) from the same site, and nothing else."""
    html = view_page.pieces_page("../static/view/", "../entity/", "sources.json")
    parser = Elements()
    parser.feed(html)
    assert [(t, a.get("src") or a.get("href")) for t, a in parser.tags if "src" in a or "href" in a] == [
        ("link", "../static/view/vis-network.css"), ("script", "../static/view/vis-network.min.js"),
        ("script", "../static/view/kg-site-graph.js")]
    app = next(a for t, a in parser.tags if t == "script" and a.get("id") == "kg-app")
    assert (app["data-view"], app["data-pieces"], app["data-sources"]) == ("../static/view/kg-view.js", "../entity/",
                                                                           "sources.json")
    csp = next(a["content"] or "" for t, a in parser.tags if t == "meta" and a.get("http-equiv") ==
               "Content-Security-Policy")
    assert "default-src 'none'; connect-src 'self';" in csp and "script-src 'self';" in csp
    data = json.loads(html.split('<script type="application/json" id="kg-data">')[1].split("</script>")[0])
    assert data == {"options": view_page.vis_options(1, 0), "hidden": ["REPORTS", "MENTIONS", "PUBLISHED_BY",
                                                                         "AUTHORED_BY"]}
    assert sorted(view_page.linked_assets()) == ["kg-site-graph.js", "kg-view.js", "vis-network.css",
                                                 "vis-network.min.js"]


@pytest.mark.parametrize("text", ["</script><script>alert(1)</script>", "<!--", "a & b <b>", "\u2028 end"])
def test_data_is_escaped_for_a_script_element(text: str) -> None:
    encoded = view_page.script_json({"name": text})
    assert "<" not in encoded and ">" not in encoded and "&" not in encoded
    assert json.loads(encoded) == {"name": text}


def test_an_edge_label_says_the_type_in_words_and_the_date() -> None:
    assert view_page.words("HAD_ACCESS") == "had access"
    assert view_page.date_text({"date": "2020-02-05"}) == " (2020-02-05)"
    assert view_page.date_text({"start": "2019-12"}) == " (from 2019-12)"
    assert view_page.date_text({"start": "2019-12", "end": "2020-02"}) == " (2019-12 to 2020-02)"
    assert view_page.date_text({}) == ""


def test_the_docs_legend_is_the_palette() -> None:
    from kg.graph.palette import PALETTE

    text = (ROOT / "docs" / "viz.md").read_text(encoding="utf-8")
    for kind, look in PALETTE.items():
        assert f"| {kind} | `{look.color}`" in text and look.shape in text.split(f"| {kind} |")[1].split("\n")[0]
    assert "](img/graph.png)" in text and (DOCS_IMG / "graph.png").read_bytes()[:8] == PNG


def test_the_notebook_helper_sandboxes_the_page() -> None:
    html = view_page.page(build.View("<b>title</b>", "", [], []))
    shown = view_page.notebook(html)._repr_html_()
    assert shown.startswith("<div><iframe srcdoc=\"") and 'sandbox="allow-scripts"' in shown
    assert "<b>title</b>" not in shown and "<script" not in shown  # all of it is one escaped attribute


def test_cli_usage_errors_exit_2_before_connecting(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    env["NEO4J_URI"] = "bolt://127.0.0.1:1"  # nothing listens: the errors must come first
    for args in (["--query", "officials", "--focus", "eps"], ["--query", "no-such-question"], ["-p", "a=b"],
                 ["--query", "statements"], ["--query", "officials", "-p", "nope=1"],
                 ["--focus", "eps", "--depth", "9"]):
        proc = run_kg("viz", "--out", str(tmp_path / "x.html"), *args, env=env)
        assert proc.returncode == 2, (args, proc.stderr)
    assert not (tmp_path / "x.html").exists()


# --- untrusted text (these tests empty the database: keep them after the seed-graph ones) ------------

EVIL_IMG = '<img src=x onerror="window.pwned=1">'
EVIL_SCRIPT = "</script><script>window.pwned=2</script>"
EVIL_QUOTE = "<svg onload=window.pwned=3>quoted</svg> & <!-- not a comment"

ACTORS = f"""\
actors:
  - id: evil-agency
    label: PoliceAgency
    name: {json.dumps(EVIL_IMG)}
    aliases: ["<b>bold</b> alias", "<iframe src=javascript:window.pwned=5>"]
    jurisdiction: "<style>body{{display:none}}</style>"
  - id: evil-person
    label: Person
    name: {json.dumps(EVIL_SCRIPT)}
  - id: evil-tool
    label: Product
    name: "Tool <u>&amp;</u> co"
  - id: evil-outlet
    label: Organization
    name: "<a href=javascript:window.pwned=6>Outlet</a>"
    kind: news_outlet
"""

SOURCE = f"""\
source:
  id: src-evil
  title: "<script>window.pwned=4</script> headline"
  publisher: evil-outlet
  published: "2020-02-28"
  url: "javascript:window.pwned=7"
  confidence: medium

relations:
  - type: USED
    from: evil-agency
    to: evil-tool
    start: "2019-12"
    quote: {json.dumps(EVIL_QUOTE)}
    confidence: high
  - type: HOLDS_ROLE
    from: evil-person
    to: evil-agency
    title: "<i>Chief</i>"
    quote: "{EVIL_SCRIPT.replace('"', '')} said the chief"
    confidence: medium
"""


# --- time -------------------------------------------------------------------------------------------

_EDGES = """([f, t]) => kgData.edges.get({filter: (e) => e.from === f && e.to === t})
                                 .map((e) => [e.label, !!e.hidden]).sort()"""
_SLIDE = """(pos) => { const s = document.getElementById('kg-time');
                       s.value = String(pos === 'end' ? s.max : pos); s.dispatchEvent(new Event('input'));
                       return [window.kgTimeState, document.getElementById('kg-time-counts').textContent,
                               document.getElementById('kg-time-label').textContent]; }"""


@pytest.mark.db
def test_the_time_slider_stands_the_view_at_a_date(server: ServerHandle, seeded: Database, browser: Any,
                                                   tmp_path: Path, shots: Path) -> None:
    out = tmp_path / "as-of.html"
    proc = run_kg("viz", "--as-of", "2019-11", "--out", str(out), env=server.env())
    assert proc.returncode == 0, proc.stderr
    with opened(browser, out) as page:
        # it opens at November 2019: Toronto's use (October) shows, Edmonton's access (December) does not,
        # Edmonton's undated use stays (marked), and the counts say so
        state = page.js("() => kgTimeState")
        assert state["stop"] == "2019-11" and page.js("() => document.getElementById('kg-time-label').textContent") \
            == "2019-11 (month)"
        assert page.js(_EDGES, ["toronto-police", "clearview-app"]) == [["used (from 2019-10)", False]]
        eps = dict(page.js(_EDGES, ["eps", "clearview-app"]))
        assert eps == {"had access (from 2019-12)": True, "used": False, "used (from 2020-01)": True}
        at_november = state["counts"]
        assert at_november["later"] > 0 and at_november["undated"] > 0 and at_november["certain"] >= 2
        page.screenshot(shots / "viz-as-of-2019-11.png")
        publish(shots / "viz-as-of-2019-11.png", "viz-as-of.png")

        # to the end: every date, nothing later is hidden, and more facts show
        end, text, label = page.js(_SLIDE, "end")
        assert end["stop"] is None and label == "every date" and end["counts"]["later"] == 0
        assert end["links"] > state["links"] and f"{end['counts']['certain'] + end['counts']['undated']} of" in text
        assert dict(page.js(_EDGES, ["eps", "clearview-app"]))["had access (from 2019-12)"] is False
        # mid-February 2020: facts dated "2020-02" are only possibly there (faded)
        stops = page.js("() => Array.from({length: Number(document.getElementById('kg-time').max)}, (_, i) => i)")
        mid = next(i for i in stops if page.js(_SLIDE, i)[0]["stop"] == "2020-02-05")
        feb5, text, _ = page.js(_SLIDE, mid)
        assert feb5["counts"]["possible"] > 0 and "possibly by then" in text

        # filters: a source, then a confidence, hide the facts they leave out
        page.js(_SLIDE, "end")
        page.page.select_option("#kg-source", "src-ctv-edmonton-2020-02-28")
        ctv = page.js("() => kgTimeState")
        assert 0 < ctv["counts"]["filtered"] < ctv["counts"]["facts"]
        assert page.js(_EDGES, ["toronto-police", "clearview-app"]) == [["used (from 2019-10)", False]]  # both say so
        assert all(hidden for _, hidden in page.js(_EDGES, ["halton-police", "clearview-app"]))  # CBC only
        page.page.select_option("#kg-source", "")
        page.page.get_by_label("medium").uncheck()
        medium_off = page.js("() => kgTimeState")
        assert medium_off["counts"]["filtered"] > 0 and medium_off["links"] < end["links"]


def test_as_of_is_checked_before_connecting(tmp_path: Path) -> None:
    proc = run_kg("viz", "--as-of", "last week", "--out", str(tmp_path / "x.html"),
                  env={**os.environ, "NEO4J_URI": "bolt://127.0.0.1:1", "NEO4J_PASSWORD": "x"})
    assert proc.returncode == 2 and "--as-of" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "x.html").exists()


@pytest.mark.db
def test_names_and_quotes_from_others_stay_text(db: Database, browser: Any, tmp_path: Path, shots: Path) -> None:
    from kg.seed.loader import load
    from kg.seed.validate import validate

    seed = tmp_path / "seed"
    (seed / "actors").mkdir(parents=True)
    (seed / "sources").mkdir()
    (seed / "actors" / "actors.yaml").write_text(ACTORS, encoding="utf-8")
    (seed / "sources" / "evil.yaml").write_text(SOURCE, encoding="utf-8")
    load(db, validate([seed]))
    assert db.read("MATCH (n:Entity {id: 'evil-agency'}) RETURN n.name AS name")[0]["name"] == EVIL_IMG

    pages = {"graph": view_page.render(db, title=EVIL_IMG + " & <b>heading</b>"),
             "focus": view_page.render(db, focus=EVIL_SCRIPT, depth=2, provenance=True)}  # a payload resolves as a name
    for name, html in pages.items():
        assert EVIL_IMG not in html and EVIL_SCRIPT not in html and "window.pwned=4</script>" not in html
        out = tmp_path / f"{name}.html"
        out.write_text(html, encoding="utf-8")
        with opened(browser, out) as page:
            page.page.mouse.move(500, 400)
            assert page.js("() => typeof window.pwned") == "undefined"
            assert page.js("() => document.querySelectorAll('img, iframe, svg foreignObject, a[href^=javascript]')"
                           ".length") == 0
            labels = page.js("() => kgNetwork.body.data.nodes.get().map(n => n.label)")
            assert EVIL_IMG in labels and EVIL_SCRIPT in labels  # drawn literally on the canvas
            titles = " ".join(page.js("() => kgNetwork.body.data.edges.get().map(e => e.title)"))
            assert EVIL_QUOTE in titles  # the hover text, shown by vis-network as plain text

            assert page.js("(id) => kgShow(id)", "evil-agency") is True
            panel = page.panel()
            assert EVIL_IMG in panel and "<b>bold</b> alias" in panel and "<style>body{display:none}</style>" in panel
            assert "<script>window.pwned=4</script> headline" in panel  # the source's title, as text
            edge = page.js("() => kgNetwork.body.data.edges.get().find(e => e.label.startsWith('used')).id")
            assert page.js("(id) => kgShow(id)", edge) is True
            assert EVIL_QUOTE in page.panel() and "(from 2019-12)" in page.js(
                "(id) => kgNetwork.body.data.edges.get(id).label", edge)
            if name == "graph":
                assert page.js("() => document.title") == f"{EVIL_IMG} & <b>heading</b> · kg"
                assert page.js("() => document.getElementById('kg-title').textContent") == \
                    f"{EVIL_IMG} & <b>heading</b>"
            assert page.js("() => typeof window.pwned") == "undefined"
            page.screenshot(shots / f"untrusted-{name}.png")


@pytest.mark.db
def test_an_empty_graph_opens_and_says_so(db: Database, browser: Any, tmp_path: Path, shots: Path) -> None:
    out = tmp_path / "empty.html"
    out.write_text(view_page.render(db), encoding="utf-8")
    with opened(browser, out) as page:
        assert page.drawn()[2:] == (0, 0)
        assert "empty" in page.js("() => document.getElementById('kg-status').textContent")
        page.screenshot(shots / "empty.png")


