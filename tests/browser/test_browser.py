"""Neo4j Browser: kg's guide and style are generated from the code, both servers serve them, and a
real Browser (headless Chromium) can log in, open the guide and answer a named question from it."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

from kg import errors
from kg.browser import guide as browser_guide
from kg.browser import serve as browser_serve
from kg.browser import story
from kg.browser import style as browser_style
from kg.browser import urls as browser_urls
from kg.graph.db import Database
from kg.graph.palette import PALETTE
from kg.questions import catalogue as questions
from kg.server.jars import resolve_jars
from kg.server.ports import free_port
from tests.conftest import ROOT, CheckoutServer, ServerHandle, _no_content, clean_env, run_kg

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
#: generous: the first Cypher of a session compiles, and CI machines are slow
WAIT_MS = 60_000
SHOTS = ROOT / "docs" / "img"


# --- generated without a database -------------------------------------------------------------------

def test_guide_has_the_introduction_and_one_slide_per_named_question() -> None:
    catalogue = questions.catalogue()
    base = browser_urls.local_base(7474)
    guide = browser_guide.guide_html(base)
    slides = re.findall(r"<slide>(.*?)</slide>", guide, re.S)
    told = story.load()
    assert [s.id for s in told.slides] == ["story", "model", "sources", "as-of"]
    assert len(slides) == len(told.slides) + len(catalogue)
    assert "Police and Clearview AI" in slides[0] and f":style {browser_urls.style_url(base)}" in slides[0]
    assert "The model" in slides[browser_guide.slide_index("model")] and "The sources" in slides[2]
    for source in ("src-cbc-hamilton-2020-02", "src-ctv-edmonton-2020-02-28"):
        assert source in slides[2]
    for name, query in catalogue.items():
        slide = slides[browser_guide.slide_index(name)]
        assert f"<h3>{html.escape(query.title)}</h3>" in slide
        assert html.escape(query.description) in slide
        assert html.escape(query.cypher) in slide, f"{name}: the runnable block is not the query's Cypher"
        assert f"kg query run {name}" in slide
        # every named question is one click from the first slide
        assert f'exec-topic="guide {browser_urls.guide_url(base)}#slide-{browser_guide.slide_index(name)}"' in slides[0]
    # the order of the story names every question (a renamed one is an error when the story is read)
    assert set(told.questions) == set(catalogue)
    assert "<script" not in guide.lower()


def test_guide_parameters_are_set_as_typed_cypher_values() -> None:
    guide = html.unescape(browser_guide.guide_html())
    # entity examples become ids, resolved from the seed as `kg query run` resolves them
    assert ":param from => 'ann-cavoukian';\n:param to => 'clearview-ai';\n:param limit => 5" in guide
    assert ":param tool => 'clearview-ai';\n:param collectives => true" in guide
    assert ":param agency => 'toronto-police'" in guide and ":param agency => 'eps'" in guide
    # a question whose only parameter is its limit sets just that
    slide = re.findall(r"<slide>(.*?)</slide>", guide, re.S)[browser_guide.slide_index("figures")]
    assert re.findall(r":param [^<]*", slide) == [":param limit => 100"]
    # never null: Browser 5.24 does not run a clicked `:param x => null` block; dates take their example
    assert "=> null" not in guide
    slide = re.findall(r"<slide>(.*?)</slide>", guide, re.S)[browser_guide.slide_index("denied-then-admitted")]
    assert ":param as_of => '2020-02-28'" in slide


def test_guide_escapes_what_it_quotes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    nasty = questions.Query(
        name="nasty", title="<script>alert(1)</script> & co", description='Says "<b>bold</b>"',
        cypher="MATCH (a)<-[:X]-(b) WHERE a.name = '<img src=x onerror=alert(1)>' RETURN a",
        path=tmp_path / "nasty.cypher",
        params={"who": questions.Param("who", "str", None, True, "O'Brien <x>", "the <who>")},
    )
    monkeypatch.setattr(browser_guide, "read_questions", lambda folder=None: {"nasty": nasty})
    guide = browser_guide.guide_html(story=story.Story(title="t", slides=[], questions=["nasty"]))
    assert "<script>" not in guide and "<img" not in guide and "<b>" not in guide
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in guide
    assert html.escape("MATCH (a)<-[:X]-(b)") in guide
    assert html.escape(":param who => 'O\\'Brien <x>'") in guide


NASTY_STORY = """\
title: "<script>alert('title')</script>"
slides:
  - id: intro
    title: <img src=x onerror=alert(1)>
    lead: "<b onclick=alert(2)>lead</b>"
    body:
      - text: |
          Prose <script>alert(3)</script> and <iframe src="http://evil.example/"></iframe>,
          *emphasis*, `code`, [a question](question:figures) and [a page](https://example.org/a?b=1&c=2),
          [a script](javascript:alert(7)).

          <div onmouseover="alert(4)">block HTML</div>

          ![a picture](http://evil.example/pixel.png)
      - run: "MATCH (n) WHERE n.name = '</pre><script>alert(5)</script>' RETURN n"
      - code: kg query run figures </pre><script>alert(6)</script>
questions: [figures]
"""


def test_guide_prose_is_data_and_cannot_inject_markup(tmp_path: Path) -> None:
    """cypher/guide.yaml is contributor text: its Markdown is rendered, any HTML in it comes out as text."""
    path = tmp_path / "guide.yaml"
    path.write_text(NASTY_STORY)
    told = story.load(path, questions=set(questions.catalogue()))
    base = browser_urls.local_base(7474)
    guide = browser_guide.guide_html(base, story=told)
    intro = re.findall(r"<slide>(.*?)</slide>", guide, re.S)[0]
    for inert in ("<script", "<img", "<iframe", "<div", "<b ", 'href="javascript'):
        assert inert not in guide, inert
    assert not re.search(r"<[a-z][^>]*\son[a-z]+\s*=", guide), "an event handler attribute got through"
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in intro and "&lt;div onmouseover" in intro
    assert "<title>&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;</title>" in guide
    assert "<h3>&lt;img src=x onerror=alert(1)&gt;</h3>" in intro
    # what the markup is for still works: emphasis, code, a link to a question's slide, a web link
    assert "<em>emphasis</em>" in intro and "<code>code</code>" in intro
    assert f'<a exec-topic="guide {browser_urls.guide_url(base)}#slide-1">a question</a>' in intro
    assert '<a href="https://example.org/a?b=1&amp;c=2">a page</a>' in intro
    assert "http://evil.example/pixel.png" not in intro.replace('href="http://evil.example/pixel.png"', "")
    # blocks are escaped inside their <pre>
    assert html.escape("'</pre><script>alert(5)</script>'") in intro
    assert "<pre>kg query run figures &lt;/pre&gt;&lt;script&gt;alert(6)&lt;/script&gt;</pre>" in intro


@pytest.mark.parametrize(("change", "line", "message"), [
    (("questions: [figures]", "questions: [figures, no-such-question]"), 17, "'no-such-question' is no question"),
    (("questions: [figures]", "questions: [figures, figures]"), 17, "'figures' is named twice"),
    (("[a question](question:figures)", "[a question](question:nope)"), 7, "'question:nope' names no question"),
    (("(https://example.org/a?b=1&c=2)", "(mailto:a@example.org)"), 7, "neither question:NAME nor an http(s)"),
    (("      - code: kg", "      - show: labels\n        code: kg"), 16, "exactly one of text, run, code or show"),
    (("      - code: kg", "      - show: everything\n        code: kg"), 16, "show: Input should be 'style'"),
    (("    lead: ", "    lede: "), 5, "slides.0.lede: Extra inputs are not permitted"),
    (("title: \"<script>", "title: [\"<script>"), 1, "YAML syntax error"),
    (("WHERE n.name", "WHERE kg.as_of(n.name"), 15, "kg.as_of( is not closed"),
])
def test_a_bad_story_is_one_line_with_file_and_line(tmp_path: Path, change: tuple[str, str], line: int,
                                                    message: str) -> None:
    path = tmp_path / "guide.yaml"
    assert change[0] in NASTY_STORY
    path.write_text(NASTY_STORY.replace(change[0], change[1], 1))
    with pytest.raises(errors.UsageError) as bad:
        story.load(path, questions=set(questions.catalogue()))
    text = str(bad.value)
    assert text.startswith(f"{path}:{line}: ") and message in text and "\n" not in text, text


def _parse_grass(text: str) -> dict[str, dict[str, str]]:
    """GraSS as Neo4j Browser 5 parses it (grassUtils.parseGrassCSS): quotes are dropped, `{...}`
    inside a rule is kept, properties split on `;` and `:`."""
    rules: dict[str, dict[str, str]] = {}
    keyword = props = ""
    in_string = in_props = in_binding = False
    for c in text:
        skip = True
        if c == "{":
            if in_string:
                skip = False
            elif in_props:
                in_binding = True
            else:
                in_props = True
        elif c == "}":
            if in_string:
                skip = False
            elif in_binding:
                in_binding = False
            else:
                in_props = False
                rules[keyword] = dict(
                    (k.strip(), v.strip()) for k, v in (p.split(":") for p in props.split(";") if p.count(":") == 1))
                keyword = props = ""
        elif c in "'\"":
            in_string = not in_string
        else:
            skip = False
        if skip:
            continue
        if in_props:
            props += c
        elif not c.isspace():
            keyword += c
    return rules


def test_style_has_the_palettes_colours_and_captions() -> None:
    text = browser_style.grass()
    rules = _parse_grass(text)
    assert "/*" not in text, "the Browser's GraSS parser knows no comments"
    order = list(rules)
    assert order[:2] == ["node", "node.Entity"], "the Entity rule must come before the labels that override it"
    for label, look in PALETTE.items():
        rule = rules[f"node.{label}"]
        assert rule["color"] == look.color and rule["border-color"] == look.border, label
        assert rule["caption"] == "{" + look.caption + "}", label
        assert rule["diameter"] == f"{browser_style.diameter(look)}px", label
    assert rules["relationship"]["caption"] == "<type>"


def test_compose_serves_the_committed_guide_and_style_with_cors(tmp_path: Path) -> None:
    """What docker compose's kg-guide service runs, run here without Docker: its command, with its
    volumes mapped back to the checkout."""
    service = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["kg-guide"]
    mounts = {target: ROOT / src.removeprefix("./") for src, target, _ro in (v.split(":") for v in service["volumes"])}
    command = [str(mounts.get(arg, arg)) for arg in service["command"]]
    assert command[0] == "python"
    port = free_port()
    command[command.index("--port") + 1] = str(port)
    command[command.index("--bind") + 1] = "127.0.0.1"
    with _serving([sys.executable, *command[1:]], port):
        base = f"http://127.0.0.1:{port}/"
        for name, generated in (("kg-guide.html", browser_guide.guide_html), ("kg.grass", browser_style.grass)):
            with urllib.request.urlopen(base + name, timeout=10) as resp:
                assert resp.headers["Access-Control-Allow-Origin"] == "*"
                assert resp.read().decode() == generated() == (ROOT / "docs" / "browser" / name).read_text()
        # Neo4j Browser asks first (its no-cache headers are not CORS-safelisted)
        preflight = urllib.request.Request(base + "kg-guide.html", method="OPTIONS", headers={
            "Origin": "http://127.0.0.1:7474", "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "pragma,cache-control"})
        with urllib.request.urlopen(preflight, timeout=10) as resp:
            assert resp.status == 204
            assert resp.headers["Access-Control-Allow-Origin"] == "*"
            assert "pragma" in resp.headers["Access-Control-Allow-Headers"]
        with pytest.raises(urllib.error.HTTPError) as listing:
            urllib.request.urlopen(base, timeout=10)
        assert listing.value.code == 404


def test_kg_browse_prints_the_url_the_user_and_the_commands(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    (state / "password").write_text("never-print-me-5e4d\n")
    env = clean_env()
    env.update(KG_STATE_DIR=str(state), DISPLAY="", WAYLAND_DISPLAY="")

    (state / "server.json").write_text(json.dumps({"backend": "local", "browser": "http://127.0.0.1:7555/browser/",
                                                   "username": "neo4j", "http_port": 7555}))
    linux = sys.platform.startswith("linux")  # elsewhere --open would really open a web browser
    local = run_kg("browse", *(["--open"] if linux else []), env=env)
    assert local.returncode == 0, local.stderr
    assert "http://127.0.0.1:7555/browser/" in local.stdout and "neo4j" in local.stdout
    assert ":play http://127.0.0.1:7555/browser/kg/kg-guide.html" in local.stdout
    assert ":style http://127.0.0.1:7555/browser/kg/kg.grass" in local.stdout
    assert "no graphical web browser" in local.stderr or not linux  # without a display: said, not attempted
    assert "never-print-me" not in local.stdout + local.stderr

    (state / "server.json").write_text(json.dumps({"backend": "docker", "browser": "http://127.0.0.1:7474/browser/",
                                                   "username": "neo4j"}))
    docker = run_kg("browse", env=env)
    assert docker.returncode == 0, docker.stderr
    assert f":play {browser_urls.COMPOSE_BASE}kg-guide.html" in docker.stdout
    assert f":style {browser_urls.COMPOSE_BASE}kg.grass" in docker.stdout

    (state / "server.json").unlink()
    none = run_kg("browse", env=env)
    assert none.returncode == 0, none.stderr
    assert browser_urls.DEFAULT_BROWSER_URL in none.stdout and "kg db up" in none.stderr
    assert run_kg("browse", "--help", env=env).returncode == 0


# --- served by a real server ----------------------------------------------------------------------

def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as resp:
        return str(resp.read().decode())


def _served(url: str, want: str, within: float = 15.0) -> str:
    """What `url` serves once it serves `want` (the server checks a file again a second after serving
    it), or what it served last."""
    deadline = time.monotonic() + within
    while True:
        try:
            got = _get(url)
        except urllib.error.HTTPError as e:
            got = f"HTTP {e.code}"
        if got == want or time.monotonic() > deadline:
            return got
        time.sleep(0.2)


@pytest.mark.db
def test_local_server_serves_guide_and_style_beside_the_browser(server: ServerHandle) -> None:
    if server.local is None:
        pytest.skip("the guide is put on the classpath of the local server only; this suite runs another backend")
    port = server.local.http_port
    base = browser_urls.local_base(port)
    assert base.startswith(f"{server.http_url}/browser/")
    # until a guide is written, the server serves the placeholder its start wrote
    assert _get(browser_urls.guide_url(base)) in (browser_guide.placeholder_html(base), browser_guide.guide_html(base))
    assert server.local.write_guide() == browser_urls.guide_url(base)
    assert _served(browser_urls.guide_url(base), browser_guide.guide_html(base)) == browser_guide.guide_html(base)
    assert _get(browser_urls.style_url(base)) == browser_style.grass()
    assert "Neo4j Browser" in _get(f"{server.http_url}/browser/")
    conf = (server.local.home / "conf" / "neo4j.conf").read_text()
    assert f"browser.remote_content_hostname_whitelist={browser_urls.ALLOWLIST}\n" in conf
    assert f"browser.post_connect_cmd={browser_urls.post_connect_cmd(base)}\n" in conf


@pytest.mark.db
def test_a_server_starts_without_content_and_serves_the_guide_written_later(
        checkout_server: CheckoutServer, tmp_path: Path) -> None:
    """The session's checkout server started with every reader of seed/ and cypher/ made to fail, and
    served a placeholder guide (tests/conftest.py); beside it the style and the Browser; the guide
    written later is served by the running server."""
    server = checkout_server
    base = browser_urls.local_base(server.http_port)
    assert "kg load" in browser_guide.placeholder_html(base) and "<slide>" in browser_guide.placeholder_html(base)
    assert _get(browser_urls.style_url(base)) == browser_style.grass()
    assert "Neo4j Browser" in _get(f"http://127.0.0.1:{server.http_port}/browser/")
    home = server.state / "neo4j"
    conf = (home / "conf" / "neo4j.conf").read_text()
    assert f"browser.post_connect_cmd={browser_urls.post_connect_cmd(base)}\n" in conf

    written = server.run("db", "guide")  # content at hand: this checkout's seed/ and cypher/
    assert written.returncode == 0, written.stderr
    guide = browser_guide.guide_html(base)
    assert _served(browser_urls.guide_url(base), guide) == guide  # no restart
    assert "Neo4j Browser" in _get(f"http://127.0.0.1:{server.http_port}/browser/")
    root = home / "kg-browser"
    assert sorted(p.name for p in browser_serve.served_folder(root).iterdir()) == [browser_urls.GUIDE_FILE,
                                                                                    browser_urls.STYLE_FILE]


def test_a_restart_keeps_the_guide_made_for_its_port(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Preparing a server's Browser folder again (a restart) keeps the guide made for the same base URL;
    for another port the guide's links would be wrong, so the placeholder comes back. No content read."""
    root, base, other = tmp_path / "kg-browser", browser_urls.local_base(7474), browser_urls.local_base(7475)
    browser_serve.prepare_local(root, resolve_jars(), base)
    guide = browser_guide.guide_html(base)
    browser_serve.write_guide(root, guide, base)
    monkeypatch.setattr(browser_guide, "guide_html", _no_content)
    browser_serve.prepare_local(root, resolve_jars(), base)
    assert (browser_serve.served_folder(root) / browser_urls.GUIDE_FILE).read_text() == guide
    browser_serve.prepare_local(root, resolve_jars(), other)
    served = browser_serve.served_folder(root) / browser_urls.GUIDE_FILE
    assert served.read_text() == browser_guide.placeholder_html(other)


# --- a real Neo4j Browser in headless Chromium --------------------------------------------------------

@contextmanager
def _serving(command: list[str], port: int) -> Iterator[None]:
    """Run a file server for the duration of a `with` block, once its port answers."""
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/kg.grass", timeout=2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"{command} did not serve on port {port}") from None
                time.sleep(0.1)
        yield
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture
def chromium_page(server: ServerHandle) -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium): no browser to drive")
    if server.local is None:
        pytest.skip("drives the Browser of kg's local server (which serves the guide); this suite runs another backend")
    base = browser_urls.local_base(server.local.http_port)
    server.local.write_guide()  # what `kg load` does for the server `kg db up` started
    assert _served(browser_urls.guide_url(base), browser_guide.guide_html(base)) == browser_guide.guide_html(base)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = chromium.new_page(viewport={"width": 1400, "height": 900})
            page.set_default_timeout(WAIT_MS)
            yield page
        finally:
            chromium.close()


def _shot(target: Any, tmp_path: Path, name: str) -> None:
    """A screenshot of the page or of one element (a Playwright Page or Locator)."""
    target.screenshot(path=str(tmp_path / name))
    if os.environ.get("KG_UPDATE_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(tmp_path / name, SHOTS / name)


def _log_in(page: Any, server: ServerHandle, tmp_path: Path) -> None:
    assert server.http_url and server.local
    page.goto(f"{server.http_url}/browser/")
    page.get_by_test_id("bolt-scheme-select").select_option("bolt://")  # the form offers neo4j:// first
    page.get_by_test_id("boltaddress").fill(f"127.0.0.1:{server.local.bolt_port}")
    page.get_by_test_id("username").fill(server.settings.username)
    page.get_by_test_id("password").fill(server.settings.password or "")
    _shot(page, tmp_path, "browser-login.png")
    page.get_by_test_id("connect").click()


def _type(page: Any, command: str) -> None:
    page.get_by_test_id("activeEditor").click()
    page.keyboard.type(command)
    page.keyboard.press("Enter")


def _frame(page: Any, command_start: str) -> Any:
    """The newest frame in the stream whose command starts with `command_start`."""
    command = page.get_by_test_id("frameCommand").filter(has_text=re.compile("^\\s*" + re.escape(command_start)))
    return page.get_by_test_id("frame").filter(has=command).first


def _run_block(block: Any) -> None:
    """Run a runnable block of the guide: its ▶ icon runs it (a click on the text only copies it)."""
    block.locator("i.fa-play-circle-o").click()


@pytest.mark.db
def test_browser_logs_in_opens_the_guide_and_answers_a_named_question(
        server: ServerHandle, seeded: Database, chromium_page: Any, tmp_path: Path) -> None:
    page = chromium_page
    _log_in(page, server, tmp_path)
    assert server.local
    base = browser_urls.local_base(server.local.http_port)

    # on connecting, the server's post-connect command applies kg's style and opens the guide in the sidebar
    sidebar_heading = page.get_by_role("heading", name="Police and Clearview AI")
    sidebar_heading.first.wait_for()
    _frame(page, f":style {browser_urls.style_url(base)}").get_by_text("node.PoliceAgency").wait_for()
    page.get_by_test_id("stream").evaluate("stream => stream.scrollTo(0, 0)")
    _shot(page, tmp_path, "browser-landing.png")
    page.get_by_test_id("navigationGuides").click()  # close the sidebar: the rest happens in the stream

    # the one command a user types
    _type(page, f":play {browser_urls.guide_url(base)}")
    guide = _frame(page, ":play http")
    guide.get_by_role("heading", name="Police and Clearview AI").wait_for()

    # step to a named question's slide with the carousel's dots (they count from 1)
    name = "denied-then-admitted"
    question = questions.get(name)
    guide.locator(f'li[aria-label="{browser_guide.slide_index(name) + 1}"]').click()
    guide.get_by_role("heading", name=question.title).wait_for()
    blocks = guide.locator("pre.runnable")
    # its parameters: as of the day of the CTV article, every denial and admission is on record; the limit
    assert blocks.count() == 2
    assert blocks.first.inner_text().strip() == ":param as_of => '2020-02-28';\n:param limit => 100"
    _shot(guide, tmp_path, "browser-guide.png")
    _run_block(blocks.first)
    # several statements (as_of, limit): one frame that lists them shows at once, before the Browser
    # has run the second; give it a moment, or the question may run without its limit
    _frame(page, ":param as_of").locator("text=2020-02-28").first.wait_for()
    page.wait_for_timeout(1500)
    _run_block(blocks.nth(1))
    answer = _frame(page, "MATCH (later:Statement)")
    answer.get_by_text("Hamilton Police Service").first.wait_for()
    for agency in ("Edmonton Police Service", "Niagara Regional Police Service", "Toronto Police Service"):
        assert answer.get_by_text(agency).count() > 0, agency
    _shot(page, tmp_path, "browser-result.png")

    # a question with parameters: its first block sets them (:param), the second asks
    guide.locator(f'li[aria-label="{browser_guide.slide_index("stop-orders") + 1}"]').click()
    guide.get_by_role("heading", name=questions.get("stop-orders").title).wait_for()
    blocks = guide.locator("pre.runnable")
    assert blocks.count() == 2
    assert blocks.first.inner_text().strip().startswith(":param agency => 'toronto-police';\n:param as_of => ")
    _run_block(blocks.first)
    _frame(page, ":param agency").wait_for()  # several statements: one frame that lists them
    page.wait_for_timeout(1500)  # it shows before the Browser has run the last (the limit), as above
    _run_block(blocks.nth(1))
    stops = _frame(page, questions.get("stop-orders").cypher.splitlines()[0])
    stops.get_by_text("Mark Saunders").first.wait_for()
    assert stops.get_by_text("Niagara").count() == 0  # the parameter narrowed the answer

    # a graph, drawn with kg's style: the palette's colours and captions
    guide.locator(f'li[aria-label="{browser_guide.slide_index("model") + 1}"]').click()
    guide.get_by_role("heading", name="The model").wait_for()
    _run_block(guide.locator("pre.runnable", has_text="RETURN path"))
    graph = _frame(page, "MATCH path")
    agency = graph.locator(f'svg g.node circle[fill="{PALETTE["PoliceAgency"].color}"]')
    agency.first.wait_for()
    assert graph.locator(f'svg g.node circle[fill="{PALETTE["Statement"].color}"]').count() > 0
    assert graph.locator("svg g.node text.caption", has_text="Edmonton").count() > 0
    _shot(page, tmp_path, "browser-graph.png")


@pytest.mark.db
def test_browser_opens_the_guide_as_compose_serves_it(server: ServerHandle, seeded: Database,
                                                      chromium_page: Any, tmp_path: Path) -> None:
    """The compose path, cross-origin: the guide served by kg/browser/guide_server.py on another port, opened
    from the Browser of the local server (allow-list and CORS as with compose, without Docker)."""
    page = chromium_page
    port = free_port()
    command = [sys.executable, str(ROOT / "kg" / "browser" / "guide_server.py"),
               "--dir", str(ROOT / "docs" / "browser"), "--port", str(port)]
    with _serving(command, port):
        _log_in(page, server, tmp_path)
        page.get_by_role("heading", name="Police and Clearview AI").first.wait_for()
        _type(page, f":play http://127.0.0.1:{port}/kg-guide.html")
        guide = _frame(page, ":play http")
        guide.get_by_role("heading", name="Police and Clearview AI").wait_for()
        assert f":style {browser_urls.COMPOSE_BASE}kg.grass" in guide.inner_text()
        _type(page, f":style http://127.0.0.1:{port}/kg.grass")
        _frame(page, ":style http").get_by_text("node.PoliceAgency").wait_for()


@pytest.mark.db
def test_the_as_of_slide_asks_a_parameterised_question(seeded: Database) -> None:
    guide = html.unescape(browser_guide.guide_html())
    slide = re.findall(r"<slide>(.*?)</slide>", guide, re.S)[browser_guide.slide_index("as-of")]
    assert "Standing at a date" in slide
    blocks = re.findall(r'<pre mode="cypher" class="runnable">(.*?)</pre>', slide, re.S)
    assert blocks[0] == ":param as_of => '2019-11'"
    rows = seeded.read(blocks[1], {"as_of": "2019-11"})
    assert {(r["agency"], r["as_of"]) for r in rows} == {("Toronto Police Service", "certain"),
                                                         ("Halton Regional Police Service", "certain")}
    assert {r["agency"] for r in seeded.read(blocks[1], {"as_of": "2019-12"})} >= {"Edmonton Police Service"}
