"""`kg serve`: every route and its .json in process (Starlette's TestClient) against the real test
server holding the seed, asserting the answers (the agencies, the quotes, the sources); the pages
clicked in headless Chromium through a real HTTP server; hostile text stays text; errors are 4xx
pages that say why (503 when Neo4j does not answer), never a traceback."""

from __future__ import annotations

import dataclasses
import html
import json
import os
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from kg.config import Settings
from kg.graph.db import Database
from kg.server.ports import free_port
from kg.web.app import create_app
from tests.conftest import ROOT, ServerHandle, run_kg
from tests.web.conftest import serving

TEXTS = ROOT.parent / "shared" / "sources"
DOCS_IMG = ROOT / "docs" / "img"


def shoot(page: Any, folder: Path, name: str) -> None:
    """A screenshot of the page; into docs/img/ too when asked to (KG_UPDATE_SCREENSHOTS=1), for docs/web.md."""
    shot = folder / name
    page.screenshot(path=str(shot), full_page=False)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("KG_UPDATE_SCREENSHOTS") == "1":
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, DOCS_IMG / name)
CTV = "src-ctv-edmonton-2020-02-28"

pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def client(seeded: Database, _guarded: ServerHandle) -> Iterator[TestClient]:
    with TestClient(create_app(_guarded.settings, TEXTS), raise_server_exceptions=False) as c:
        yield c


def test_the_front_page_counts_kinds_and_lists_questions_and_sources(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "Stop orders" in page.text and 'href="/question/stop-orders"' in page.text
    assert f'href="/source/{CTV}"' in page.text
    data = client.get("/index.json").json()
    counts = {c["kind"]: c["n"] for c in data["counts"]}
    assert counts["Source"] == 2 and counts["PoliceAgency"] >= 5
    assert len(data["questions"]) == 15 and data["revision"]
    assert data["revision"] in page.text  # the revision the page was made on


def test_an_entity_page_shows_each_fact_with_its_quote_and_source(client: TestClient) -> None:
    data = client.get("/entity/toronto-police.json").json()
    assert data["name"] == "Toronto Police Service" and data["kind"] == "PoliceAgency"
    used = data["groups"]["used →"]
    clearview = next(f for f in used if f["other"]["id"] == "clearview-app")
    assert clearview["citations"] and all(c["quote"] and c["source"] for c in clearview["citations"])
    page = client.get("/entity/toronto-police")
    assert page.status_code == 200 and "Toronto Police Service" in page.text
    assert 'href="/entity/clearview-app"' in page.text and clearview["citations"][0]["quote"] in page.text
    assert f'href="/source/{clearview["citations"][0]["source"]}"' in page.text
    graph = client.get("/entity/toronto-police/graph")
    assert graph.status_code == 200 and "Toronto Police Service" in graph.text


def test_an_entity_page_stands_at_a_date(client: TestClient) -> None:
    then = client.get("/entity/mark-saunders.json", params={"as_of": "2020-02-05"}).json()
    stop = then["groups"]["ordered stop →"]
    assert [f["other"]["id"] for f in stop] == ["toronto-police"] and stop[0]["props"]["as_of"] == "certain"
    before = client.get("/entity/mark-saunders.json", params={"as_of": "2020-01"}).json()
    assert "ordered stop →" not in before["groups"] and before["as_of"] == "2020-01"
    assert all(f["props"]["as_of"] in ("certain", "possible") for g in before["groups"].values() for f in g)
    page = client.get("/entity/mark-saunders", params={"as_of": "2020-01"})
    assert "As of 2020-01" in page.text and 'name="as_of" value="2020-01"' in page.text
    bad = client.get("/entity/mark-saunders", params={"as_of": "2020-13"})
    assert bad.status_code == 400 and "expects date" in bad.text


def test_a_source_page_lists_what_it_reports_in_the_order_of_the_text(client: TestClient) -> None:
    data = client.get(f"/source/{CTV}.json").json()
    assert data["publisher_id"] == "ctv-news" and data["in_text_order"] is True
    lines = [f["line"] for f in data["facts"] if "line" in f]
    assert len(lines) == len(data["facts"]) > 5 and lines == sorted(lines)
    quotes = [f["quote"] for f in data["facts"]]
    assert any("auto theft investigation" in q for q in quotes)
    page = client.get(f"/source/{CTV}")
    assert "in the order of the text" in page.text and "auto theft investigation" in page.text


def test_the_app_works_through_a_routing_uri(seeded: Database, _guarded: ServerHandle) -> None:
    """`neo4j://` (the scheme of a cluster, whose driver routes reads to its followers) against the test
    server, which answers routing as a cluster of one: the pages read the same graph."""
    routed = dataclasses.replace(_guarded.settings, uri=_guarded.settings.uri.replace("bolt://", "neo4j://"))
    assert routed.uri.startswith("neo4j://")
    with TestClient(create_app(routed, TEXTS), raise_server_exceptions=False) as c:
        eps = c.get("/entity/eps.json").json()
        assert eps["name"] == "Edmonton Police Service" and eps["groups"]
        rows = c.get("/question/denied-then-admitted.json").json()["rows"]
        assert [r["agency_id"] for r in rows] == ["eps", "hamilton-police", "niagara-police", "toronto-police"]


def test_a_source_page_stands_at_a_date(client: TestClient) -> None:
    """as_of on a source page keeps what it reports that was dated by then (a relationship by its own
    date or its statement's), marks the possible ones, counts the undated ones and says when the source
    itself came out later."""
    whole = client.get(f"/source/{CTV}.json").json()["facts"]
    then = client.get(f"/source/{CTV}.json", params={"as_of": "2019"}).json()
    assert sorted(f["id"] for f in then["facts"]) == [
        "clearview-app--PARTICIPATED_IN--ev-eps-investigators-sign-up", "eps--HAD_ACCESS--clearview-app",
        "eps-special-unit--PARTICIPATED_IN--ev-eps-investigators-sign-up", "ev-eps-investigators-sign-up",
        "toronto-police-used-clearview"]
    assert {f["as_of"] for f in then["facts"]} == {"certain"} and then["as_of"] == "2019"
    undated = sum(1 for f in whole if not f.get("date"))
    assert then["notes"][0] == f"{undated} undated facts left out (as_of 2019)"
    assert "published on 2020-02-28, after 2019" in then["notes"][1]
    later = client.get(f"/source/{CTV}.json", params={"as_of": "2020-02-27"}).json()["facts"]
    breach = next(f for f in later if f["id"] == "ev-clearview-customer-list-breach")
    assert breach["as_of"] == "possible" and breach["date_as_written"] == "this week"
    assert len(later) < len(whole) and all(f.get("date") for f in later)
    page = client.get(f"/source/{CTV}", params={"as_of": "2020-02-27"})
    assert "As of 2020-02-27" in page.text and 'name="as_of" value="2020-02-27"' in page.text
    assert "possibly, as of 2020-02-27" in page.text and "in December 2019 (2019-12)" in page.text
    bad = client.get(f"/source/{CTV}", params={"as_of": "2020-02-30"})
    assert bad.status_code == 400 and "parameter &#39;as_of&#39; expects date" in bad.text


def test_a_question_answers_with_linked_cells_and_footnoted_quotes(client: TestClient) -> None:
    page = client.get("/question/stop-orders", params={"agency": "Toronto police"})
    assert page.status_code == 200
    assert '<a href="/entity/mark-saunders">Mark Saunders</a>' in page.text
    assert 'id="note-1"' in page.text and "/source/" in page.text
    assert "Permalink: <a href=\"/question/stop-orders?agency=Toronto+police&amp;rev=" in page.text
    data = client.get("/question/stop-orders.json", params={"agency": "Toronto police"}).json()
    assert data["rows"][-1]["ordered_by"] == "Mark Saunders" and data["params"] == {"agency": "Toronto police"}
    assert data["permalink"].startswith("/question/stop-orders?agency=Toronto+police&rev=")
    csv = client.get("/question/stop-orders.csv", params={"agency": "Toronto police"})
    assert csv.headers["content-type"].startswith("text/csv") and csv.text.startswith("ordered_by,")
    md = client.get("/question/stop-orders.md", params={"agency": "Toronto police"})
    assert "| Mark Saunders |" in md.text and "[^1]:" in md.text


def test_a_cut_answer_says_so_and_a_permalink_of_another_revision_too(client: TestClient) -> None:
    page = client.get("/question/stop-orders", params={"limit": "1"})
    assert "Cut short" in page.text
    old = client.get("/question/stop-orders", params={"limit": "1", "rev": "an-older-graph"})
    assert "The graph changed since this link was made" in old.text
    assert "The graph changed" not in page.text


def test_search_counts_by_kind_and_filters(client: TestClient) -> None:
    data = client.get("/search.json", params={"q": "Clearview"}).json()
    assert data["counts"] and data["hits"][0]["name"].startswith("Clearview")
    kind = next(iter(data["counts"]))
    only = client.get("/search.json", params={"q": "Clearview", "kind": kind}).json()
    assert {h["label"] for h in only["hits"]} == {kind} and len(only["hits"]) == data["counts"][kind]
    page = client.get("/search", params={"q": "Clearview"}).text
    assert "Clearview" in page and data["counts"]["Source"] >= 1
    assert f'href="/source/{CTV}"' in page and 'href="/entity/src-' not in page  # a source hit opens its page


def test_names_are_suggested_from_the_graph(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """A small graph lists every name in the form (no script needed); a large one (here: more than 5)
    suggests them as one types, from /suggest.json."""
    small = client.get("/question/stop-orders").text
    assert '<option value="Toronto Police Service">' in small and "suggest.js" not in small
    names = client.get("/suggest.json", params={"q": "toronto pol"}).json()["names"]
    assert names[0] == {"id": "toronto-police", "name": "Toronto Police Service", "kind": "PoliceAgency"}
    assert all(n["kind"] != "Source" for n in names)
    assert client.get("/suggest.json", params={"q": ""}).json()["names"] == []
    assert client.get("/suggest.json", params={"q": "x" * 501}).status_code == 400
    monkeypatch.setattr("kg.web.app.SUGGEST_INLINE", 5)
    large = client.get("/question/stop-orders").text
    assert '<datalist id="kg-names"></datalist>' in large and 'data-suggest="/suggest.json"' in large
    assert '<script src="/static/suggest.js"></script>' in large


@pytest.mark.parametrize(("path", "status", "says", "offers"), [
    ("/entity/toronto-polic", 404, "no entity with the id 'toronto-polic'", "/entity/toronto-police"),
    ("/entity/nobody.json", 404, "no entity with the id 'nobody'", None),
    ("/source/src-ctv-edmonton", 404, "no source with the id 'src-ctv-edmonton'", f"/source/{CTV}"),
    ("/question/stop-order", 404, "no question named 'stop-order'", "/question/stop-orders"),
    ("/question/stop-orders?as_of=2020-13", 400, "parameter 'as_of' expects date", None),
    ("/question/stop-orders?limit=0", 400, "limit", None),
    ("/question/stop-orders?cypher=MATCH+(n)+DETACH+DELETE+n", 400, "takes no parameter 'cypher'", None),
    ("/nowhere/../etc/passwd", 404, "no page at", None),
])
def test_bad_requests_get_a_page_that_says_why(client: TestClient, seeded: Database, path: str, status: int,
                                               says: str, offers: str | None) -> None:
    before = seeded.read("MATCH (n) RETURN count(n) AS n")
    page = client.get(path)
    assert page.status_code == status and says in html.unescape(page.text), page.text
    assert "Traceback" not in page.text and "MATCH (" not in page.text
    if offers:
        assert f'href="{offers}"' in page.text
    assert seeded.read("MATCH (n) RETURN count(n) AS n") == before


def test_only_get_and_head(client: TestClient) -> None:
    assert client.head("/").status_code == 200
    refused = client.post("/question/stop-orders", data={"agency": "x"})
    assert refused.status_code == 405 and "kg only reads" in refused.text


def test_every_page_carries_the_security_headers(client: TestClient) -> None:
    for path in ("/", "/entity/eps", f"/source/{CTV}.json", "/question/stop-orders", "/nowhere"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self';" in csp and "unsafe-inline" not in csp
        assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"


def test_hostile_text_stays_text(client: TestClient) -> None:
    evil = '<script>window.pwned=1</script><img src=x onerror="window.pwned=1">'
    for path, params in (("/search", {"q": evil}), ("/question/stop-orders", {"agency": evil})):
        page = client.get(path, params=params)
        assert "<script>window" not in page.text and "<img src=x" not in page.text
        assert page.status_code in (200, 400)


def test_neo4j_away_is_a_503_that_says_so() -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = Settings(uri=f"bolt://127.0.0.1:{port}", username="neo4j", password="not-used", database="neo4j")
    with TestClient(create_app(settings, None), raise_server_exceptions=False) as away:
        page = away.get("/")
        assert page.status_code == 503 and "does not answer just now" in page.text
        assert away.get("/index.json").json()["status"] == 503


def test_a_database_that_is_stopping_is_a_503_too(seeded: Database, _guarded: ServerHandle,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A Neo4j that is stopping still answers Bolt but refuses new transactions (DatabaseUnavailable,
    a transient error) for as long as its running ones take to finish: once the pages' short retry
    is over that is a 503 like any outage, not a 400 showing the server's words (the soak found it,
    bench/soak.py)."""
    import neo4j

    def unavailable(*_args: Any, **_kwargs: Any) -> Any:
        raise neo4j.exceptions.DatabaseUnavailable("Timeout waiting for database to become available")

    monkeypatch.setattr("kg.web.app.WebDatabase.retry_seconds", 0.0)  # the driver's retry, not waited for here
    with TestClient(create_app(_guarded.settings, TEXTS), raise_server_exceptions=False) as stopping:
        monkeypatch.setattr(neo4j.ManagedTransaction, "run", unavailable)
        page = stopping.get("/entity/eps")
        assert page.status_code == 503 and "does not answer just now" in html.unescape(page.text)
        assert "Neo.TransientError" not in page.text and "Timeout waiting" not in page.text
        assert stopping.get("/question/stop-orders.json").json()["status"] == 503


def test_with_a_token_every_request_must_carry_it(seeded: Database, _guarded: ServerHandle) -> None:
    import base64

    with TestClient(create_app(_guarded.settings, TEXTS, token="s3cret-Token"), raise_server_exceptions=False) as c:
        refused = c.get("/entity/eps")
        assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith("Basic realm=")
        assert "Edmonton" not in refused.text and "s3cret" not in refused.text
        assert c.get("/entity/eps.json").json()["status"] == 401
        assert c.get("/", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert c.get("/", headers={"Authorization": "Basic !!not-base64"}).status_code == 401
        basic = base64.b64encode(b"anyone:s3cret-Token").decode()
        assert "Edmonton" in c.get("/entity/eps", headers={"Authorization": f"Basic {basic}"}).text
        assert c.get("/entity/eps.json", headers={"Authorization": "Bearer s3cret-Token"}).json()["id"] == "eps"


def test_serve_auth_without_a_token_is_one_line_and_exit_2(server: ServerHandle) -> None:
    env = {k: v for k, v in server.env().items() if k != "KG_WEB_TOKEN"}
    proc = run_kg("serve", "--auth", "--port", str(free_port()), env=env)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert "set KG_WEB_TOKEN" in proc.stderr and "Traceback" not in proc.stderr


# --- in a real browser, through a real HTTP server -----------------------------------------------

@pytest.fixture(scope="module")
def served(seeded: Database, _guarded: ServerHandle) -> Iterator[str]:
    with serving(create_app(_guarded.settings, TEXTS)) as url:
        yield url


def test_a_reader_fills_a_question_follows_a_cell_and_searches(served: str, browser: Any, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(served + "/")
    page.get_by_role("link", name="Stop orders").click()
    page.get_by_label("agency").fill("Toronto police")
    page.get_by_label("as_of").fill("2020-02-05")
    page.get_by_role("button", name="Answer").click()
    page.wait_for_url("**/question/stop-orders?agency=Toronto+police&as_of=2020-02-05*")
    assert page.locator("table.answer tbody tr").count() >= 1
    shoot(page, tmp_path, "web-question.png")
    page.locator("table.answer").get_by_role("link", name="Mark Saunders").first.click()
    page.wait_for_url("**/entity/mark-saunders")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Mark Saunders")
    shoot(page, tmp_path, "web-entity.png")
    page.get_by_label("Search names, aliases and quotes").fill("<script>window.pwned=1</script>")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/search?q=*")
    assert "<script>window.pwned=1</script>" in page.get_by_role("heading", level=1).inner_text()
    assert page.evaluate("() => window.pwned") is None
    assert errors == []
    page.close()


def test_a_large_graph_suggests_names_as_one_types(served: str, browser: Any,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("kg.web.app.SUGGEST_INLINE", 5)  # the seed, as if it were too large to list
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(served + "/question/stop-orders")
    assert page.locator("#kg-names option").count() == 0
    page.get_by_label("agency").press_sequentially("toronto pol", delay=20)
    page.wait_for_function("() => document.querySelectorAll('#kg-names option').length > 0")
    assert page.locator("#kg-names option").first.get_attribute("value") == "Toronto Police Service"
    page.get_by_label("agency").fill("Toronto Police Service")  # the suggestion taken
    page.get_by_role("button", name="Answer").click()
    page.wait_for_url("**/question/stop-orders?agency=Toronto+Police+Service*")
    assert page.locator("table.answer").get_by_role("link", name="Mark Saunders").count() >= 1
    assert errors == []
    page.close()


# --- kg site: the same pages as static files ------------------------------------------------------

@pytest.fixture(scope="module")
def site(seeded: Database, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from kg.web.site import build_site

    out = tmp_path_factory.mktemp("site") / "site"
    report = build_site(seeded, out, TEXTS, graphs=True)
    assert report.pages > 100
    return out


def test_the_site_has_every_page_with_its_json_beside(site: Path, seeded: Database) -> None:
    ids = [r["id"] for r in seeded.read("MATCH (n:Entity) WHERE NOT n:Source RETURN n.id AS id")]
    assert all((site / "entity" / i / "index.html").is_file() and (site / "entity" / f"{i}.json").is_file()
               for i in ids)
    assert (site / "source" / CTV / "index.html").is_file()
    ctv = json.loads((site / "source" / f"{CTV}.json").read_text())
    assert any("auto theft investigation" in f.get("quote", "") for f in ctv["facts"])
    example = json.loads((site / "question" / "stop-orders" / "example.json").read_text())
    assert example["params"]["agency"] == "Toronto police" and example["rows"][-1]["ordered_by"] == "Mark Saunders"
    assert (site / "question" / "stop-orders.csv").read_text().startswith("ordered_by,")
    # one neighbourhood page for all, which links the views' scripts, and a piece of each entity's
    graph = (site / "graph" / "index.html").read_text()
    assert 'src="../static/view/vis-network.min.js"' in graph and "kgReady" not in graph
    assert sorted(p.name for p in (site / "static" / "view").iterdir()) == [
        "kg-site-graph.js", "kg-view.js", "vis-network.css", "vis-network.min.js"]
    eps = json.loads((site / "entity" / "eps" / "neighbourhood.json").read_text())
    assert eps["name"] == "Edmonton Police Service" and "clearview-app" in eps["near"]
    assert 'href="../../graph/#eps"' in (site / "entity" / "eps" / "index.html").read_text()
    # links are relative: no page links to the root of a server
    for page in site.rglob("index.html"):
        assert 'href="/' not in page.read_text() and 'action="/' not in page.read_text(), page


def test_writing_the_site_again_replaces_it_but_never_another_folder(site: Path, seeded: Database,
                                                                     tmp_path: Path) -> None:
    from kg.errors import KgError
    from kg.web.site import build_site

    build_site(seeded, site, TEXTS)  # its own folder: replaced whole
    other = tmp_path / "notes"
    other.mkdir()
    (other / "mine.txt").write_text("keep me")
    with pytest.raises(KgError, match="is not a folder `kg site` wrote"):
        build_site(seeded, other, TEXTS, graphs=False)
    assert (other / "mine.txt").read_text() == "keep me"


def test_forked_workers_write_the_same_site(site: Path, seeded: Database, tmp_path: Path) -> None:
    """Entities in batches of 20, rendered by two forked workers while the parent reads on: the same
    files, byte for byte, as one process writes."""
    from kg.web.site import build_site

    forked = build_site(seeded, tmp_path / "forked", TEXTS, workers=2, batch=20)
    alone = build_site(seeded, tmp_path / "alone", TEXTS, workers=1)
    assert (forked.pages, forked.files) == (alone.pages, alone.files) and forked.pages > 150

    def tree(root: Path) -> dict[str, bytes]:
        return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
    assert tree(tmp_path / "forked") == tree(tmp_path / "alone")
    assert len(tree(tmp_path / "alone")) == alone.files


@pytest.fixture(scope="module")
def static_server(site: Path) -> Iterator[str]:
    import functools
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()


def test_the_sites_neighbourhoods_are_the_views_own(static_server: str, browser: Any, seeded: Database) -> None:
    """kg site draws a neighbourhood in the browser from pieces (kg/views/shards.py); what it puts
    together is, for every entity of the seed, the data `kg viz --focus ID` draws: the same nodes,
    links, tooltips, panels, sources, legend, options and time slider."""
    from kg.views.build import focus_view
    from kg.views.page import view_data, vis_options

    ids = [r["id"] for r in seeded.read("MATCH (n:Entity) WHERE NOT n:Source RETURN n.id AS id ORDER BY id")]
    page = browser.new_page()
    page.goto(static_server + "/graph/")
    composed = page.evaluate("ids => Promise.all(ids.map(id => window.kgNeighbourhood(id)))", ids)
    assert len(composed) == len(ids) > 100
    for entity_id, got in zip(ids, composed, strict=True):
        want = json.loads(json.dumps(view_data(focus_view(seeded, entity_id, 1))))
        assert got == want, entity_id
    assert len(composed[ids.index("eps")]["nodes"]) > 10
    for size in ((1, 0), (301, 10), (450, 10), (40, 1200), (2000, 5000)):
        assert page.evaluate("s => window.kgNeighbourhoodOptions(s[0], s[1])", size) == vis_options(*size), size
    page.close()
    # an id that is not one, and an entity the site does not have: said, not drawn
    for fragment, said in (("..%2Fsearch%2Findex", "not an id of this site: ../search/index"),
                           ("nobody-at-all", "no entity nobody-at-all in this site")):
        page = browser.new_page()
        page.goto(f"{static_server}/graph/#{fragment}")
        page.wait_for_function("said => document.getElementById('kg-status').textContent === said", arg=said)
        page.close()


def test_the_static_site_works_in_a_browser_search_included(static_server: str, browser: Any) -> None:
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(static_server + "/")
    page.get_by_role("link", name="Stop orders").click()
    page.wait_for_url("**/question/stop-orders/")
    page.get_by_role("link", name="with its example parameters").click()
    page.wait_for_url("**/question/stop-orders/example/")
    page.locator("table.answer").get_by_role("link", name="Mark Saunders").first.click()
    page.wait_for_url("**/entity/mark-saunders/")
    # its neighbourhood, drawn by the views' code from the site's one copy of their scripts
    page.get_by_role("link", name="Its neighbourhood, drawn").click()
    page.wait_for_url("**/graph/#mark-saunders")
    page.wait_for_function("() => window.kgReady === true", timeout=60_000)
    assert page.locator("#kg-title").inner_text() == "Around Mark Saunders"
    assert page.title() == "Around Mark Saunders · kg"
    assert page.locator("canvas").count() >= 1
    page.go_back()
    page.wait_for_url("**/entity/mark-saunders/")
    page.get_by_label("Search names, aliases and quotes").fill("Saunders")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/search/?q=Saunders")
    page.wait_for_selector("#kg-hits li")
    assert "Mark Saunders" in page.locator("#kg-hits").inner_text()
    page.get_by_label("Search names, aliases and quotes").fill('<img src=x onerror="window.pwned=1"> police')
    page.get_by_role("button", name="Search").click()
    page.wait_for_function("() => document.getElementById('kg-search-status').textContent.includes('found')")
    assert page.evaluate("() => window.pwned") is None
    assert "<img src=x" in page.locator("#kg-search-title").inner_text()  # as text
    assert errors == []
    page.close()
