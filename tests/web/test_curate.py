"""The curation desk, `kg serve --curate` (kg/web/curate.py): on the test article (fiction, as in
tests/seed/test_curation.py) scaffolded by `kg source add` into a copy of the project, words
selected in headless Chromium become facts in the source's YAML file, comments kept; `kg validate`
passes; Load changes a named question's answer. Refusals: a quote not in the text (with the closest
passage), a bad CSRF token or another origin (403), a Host that is not loopback (403), a bad id
(404), `kg serve --curate` on another host (exit 2); nothing is written when a write is refused."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from kg.cli.web import desk_loader
from kg.graph.db import Database
from kg.seed.loader import load, wipe
from kg.seed.validate import validate
from kg.server.ports import free_port
from kg.web.app import create_app
from kg.web.curate import Desk
from tests.conftest import ROOT, ServerHandle, run_kg
from tests.seed.test_curation import ARTICLE
from tests.web.conftest import serving
from tests.web.test_web import DOCS_IMG, TEXTS

pytestmark = pytest.mark.db
SID = "src-test-lakeshore"
CTV = "src-ctv-edmonton-2020-02-28"


@dataclass
class Project:
    root: Path
    texts: Path
    scaffold: Path
    desk: Desk
    app: Any

    def seed_files(self) -> list[tuple[Path, bytes]]:
        return sorted((p, p.read_bytes()) for p in (self.root / "seed").rglob("*.yaml"))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, _guarded: ServerHandle) -> Iterator[Project]:
    """A copy of the project with the test article scaffolded as src-test-lakeshore, its seed loaded
    into the test server, and the app of `kg serve --curate` over it."""
    tmp = tmp_path_factory.mktemp("desk")
    root, texts = tmp / "project", tmp / "texts"
    shutil.copytree(ROOT / "seed", root / "seed")
    shutil.copytree(ROOT / "cypher", root / "cypher")
    (root / "pyproject.toml").write_text("")
    shutil.copytree(TEXTS, texts)
    article = tmp / "lakeshore.txt"
    article.write_text(ARTICLE)
    added = run_kg("source", "add", str(article), "--texts", str(texts), "--publisher", "ctv-news",
                   "--published", "2030-03-02", "--id", SID, cwd=root)
    assert added.returncode == 0, added.stderr
    with Database(_guarded.settings) as db:
        wipe(db)
        load(db, validate([root / "seed"], texts=texts))
    desk = Desk(root / "seed", texts, desk_loader(_guarded.settings, texts))
    yield Project(root, texts, root / "seed" / "sources" / f"{SID}.yaml", desk,
                  create_app(_guarded.settings, texts, desk=desk))


@pytest.fixture
def client(project: Project) -> Iterator[TestClient]:
    with TestClient(project.app, base_url="http://127.0.0.1:8000", client=("127.0.0.1", 50000),
                    raise_server_exceptions=False) as c:
        yield c


def _post(client: TestClient, project: Project, path: str, body: dict[str, Any], **headers: str) -> Any:
    sent = {"Origin": "http://127.0.0.1:8000", "Content-Type": "application/json", **headers}
    return client.post(path, content=json.dumps({"csrf": project.desk.csrf, **body}), headers=sent)


# --- in process -----------------------------------------------------------------------------------

def test_the_desk_shows_the_pinned_text_with_the_quotes_already_used(client: TestClient) -> None:
    page = client.get(f"/curate/source/{CTV}")
    assert page.status_code == 200, page.text
    assert '<mark class="used" title="quoted by ' in page.text
    assert "used it during an auto theft investigation the following month</mark>" in page.text
    assert 'src="/static/curate.js"' in page.text and "<script>" not in page.text
    index = client.get("/curate")
    assert f'href="/curate/source/{SID}"' in index.text and f'href="/curate/source/{CTV}"' in index.text
    fresh = client.get(f"/curate/source/{SID}")
    assert fresh.status_code == 200 and '<mark class="used"' not in fresh.text  # nothing quoted yet
    assert 'data-name="Dana Whitfield"' in fresh.text  # the scaffold's candidates


def test_a_passage_says_where_it_is_the_dates_near_it_and_the_actors_it_names(client: TestClient) -> None:
    found = client.get(f"/curate/source/{SID}/passage.json",
                       params={"q": "used Clearview AI during a two-week trial in January"}).json()
    assert found["found"] and found["line"] == 5 and found["published"] == "2030-03-02"
    first = found["dates"][0]
    assert (first["value"], first["as_written"], first["in_passage"]) == ("2030-01", "in January", True)
    assert "2030-03-02" in first["note"]
    assert {a["id"] for a in found["actors"]} >= {"clearview-ai"}
    missing = client.get(f"/curate/source/{SID}/passage.json", params={"q": "used Clearview AI for a year"}).json()
    assert not missing["found"] and "used Clearview AI during" in missing["closest"]["passage"]
    names = client.get("/curate/names.json", params={"q": "edmonton", "labels": "PoliceAgency"}).json()
    assert names["actors"][0]["id"] == "eps"


def test_a_write_is_refused_without_the_token_from_another_origin_or_host(client: TestClient,
                                                                          project: Project) -> None:
    before = project.seed_files()
    fact = {"quote": "two-week trial", "kind": "USED", "from": "eps", "to": "clearview-app"}
    path = f"/curate/source/{SID}/facts.json"
    refusals = [
        _post(client, project, path, {**fact, "csrf": "wrong"}),
        _post(client, project, path, fact, Origin="http://evil.example"),
        client.post(path, content=json.dumps({"csrf": project.desk.csrf, **fact}),
                    headers={"Content-Type": "application/json"}),  # no Origin
        _post(client, project, path, fact, Host="evil.example"),  # a DNS name pointed at 127.0.0.1
    ]
    for refused in refusals:
        assert refused.status_code == 403, refused.text
        assert refused.json()["status"] == 403 and "Traceback" not in refused.text
    for host in ("evil.example:8000", "127.0.0.1.evil.example:8000", "[::2]:8000"):
        assert client.get(f"/curate/source/{SID}", headers={"Host": host}).status_code == 403, host
    assert client.get(f"/curate/source/{SID}", headers={"Host": "localhost:8000"}).status_code == 200
    assert _post(client, project, path, fact, **{"Content-Type": "text/plain"}).status_code == 415
    too_long = _post(client, project, path, {**fact, "name": "x" * 70_000})
    assert too_long.status_code == 413
    assert project.seed_files() == before
    assert client.get("/curate/source/..%2f..%2fetc").status_code == 404
    missing = client.get("/curate/source/src-test-lakeshor")
    assert missing.status_code == 404 and f'href="/curate/source/{SID}"' in missing.text
    with TestClient(project.app, base_url="http://127.0.0.1:8000", client=("10.1.2.3", 5000),
                    raise_server_exceptions=False) as remote:
        assert remote.get(f"/curate/source/{SID}").status_code == 403


def test_a_quote_not_in_the_text_is_refused_with_the_closest_passage(client: TestClient, project: Project) -> None:
    before = project.seed_files()
    path = f"/curate/source/{SID}/facts.json"
    bad = _post(client, project, path, {"quote": "used Clearview AI for a year", "kind": "USED", "from": "eps",
                                        "to": "clearview-app"})
    assert bad.status_code == 400 and bad.json()["ok"] is False
    said = bad.json()["error"]
    assert said.startswith("nothing was written: 'used Clearview AI for a year' does not occur in src-test-lakeshore; "
                           'closest passage: "') and "used Clearview AI during a two" in said
    nobody = _post(client, project, path, {"quote": "two-week trial", "kind": "USED", "from": "nobody at all",
                                           "to": "clearview-app"})
    assert nobody.status_code == 400 and "no actor of the seed is 'nobody at all'" in nobody.json()["error"]
    bad_date = _post(client, project, path, {"quote": "two-week trial", "kind": "USED", "from": "eps",
                                             "to": "clearview-app", "date": "2030-13"})
    assert bad_date.status_code == 400 and "month 13 does not exist" in bad_date.json()["error"]
    wrong_end = _post(client, project, path, {"quote": "two-week trial", "kind": "USED", "from": "clearview-app",
                                              "to": "eps"})
    assert wrong_end.status_code == 400 and wrong_end.json()["problems"], wrong_end.text
    assert wrong_end.json()["problems"][0].startswith(f"seed/sources/{SID}.yaml:")
    assert project.seed_files() == before
    assert client.get(f"/curate/source/{SID}/facts.json").status_code == 405


def test_serve_curate_refuses_another_host_in_one_line(server: ServerHandle) -> None:
    for args in (["--host", "0.0.0.0"], ["--host", "192.168.1.20"], ["--workers", "2"]):
        proc = run_kg("serve", "--curate", *args, "--port", str(free_port()), env=server.env(KG_TEXTS=str(TEXTS)))
        assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        assert "Traceback" not in proc.stderr


def test_without_curate_there_is_no_desk(_guarded: ServerHandle) -> None:
    with TestClient(create_app(_guarded.settings, TEXTS), base_url="http://127.0.0.1:8000",
                    raise_server_exceptions=False) as c:
        assert c.get(f"/curate/source/{CTV}").status_code == 404
        assert c.post(f"/curate/source/{CTV}/facts.json", content="{}").status_code in (404, 405)


# --- in a real browser ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def served(project: Project) -> Iterator[str]:
    with serving(project.app) as url:
        yield url


SELECT = """(words) => {
  // select the words as a reader's mouse would, across the highlights' elements if need be
  const article = document.getElementById("article");
  const at = article.textContent.indexOf(words);
  if (at < 0) { return false; }
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let seen = 0;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const length = node.textContent.length;
    if (seen <= at && at < seen + length) { range.setStart(node, at - seen); }
    if (seen < at + words.length && at + words.length <= seen + length) {
      range.setEnd(node, at + words.length - seen);
      break;
    }
    seen += length;
  }
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  article.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
  return true;
}"""


def shoot(page: Any, folder: Path, name: str) -> None:
    """The whole page from its top; into docs/img/ too when asked to (KG_UPDATE_SCREENSHOTS=1), for
    docs/seed-format.md."""
    page.evaluate("() => window.scrollTo(0, 0)")
    shot = folder / name
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("KG_UPDATE_SCREENSHOTS") == "1":
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, DOCS_IMG / name)


def _answer(served: str, page: Any) -> list[str]:
    rows = page.request.get(served + "/question/agencies-using-tool.json").json()["rows"]
    return sorted({row["agency"] for row in rows})


def test_words_selected_in_chromium_become_a_fact_in_the_yaml_and_load(served: str, browser: Any,
                                                                       project: Project, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    scaffold_before = project.scaffold.read_text()
    before = _answer(served, page)
    assert "Lakeshore Regional Police Service" not in before

    page.goto(f"{served}/curate/source/{SID}")
    assert page.locator("#fact-form").is_hidden()
    # a new actor: the words that name it, then the candidate the scaffold found
    assert page.evaluate(SELECT, "The Lakeshore Regional Police Service used Clearview AI")
    page.locator("#fact-form").wait_for(state="visible")
    page.get_by_role("button", name="Lakeshore Regional Police Service").click()
    assert page.locator("#actor-name").input_value() == "Lakeshore Regional Police Service"
    page.locator("#actor-label").select_option("PoliceAgency")
    page.locator("#actor-id").fill("lakeshore-police")
    page.locator("#actor-aliases").fill("Lakeshore police")
    page.get_by_role("button", name="Add actor").click()
    page.get_by_text("Saved lakeshore-police in").wait_for()

    # the fact: a USED relationship, its date suggested from "in January" before the article of 2030-03-02
    assert page.evaluate(SELECT, "used Clearview AI during a two-week trial in January")
    page.get_by_text("In the text at line 5.").wait_for()
    assert page.locator("#date").input_value() == "2030-01"
    assert page.locator("#as_written").input_value() == "in January"
    page.locator("#kind").select_option("USED")
    assert page.locator("#name-field").is_hidden()
    assert page.locator("#from").input_value() == "lakeshore-police"
    page.locator("#to").fill("Clearview AI fac")
    page.locator("#to-list option[value='clearview-app']").wait_for(state="attached")
    page.locator("#to").fill("clearview-app")
    shoot(page, tmp_path, "desk-form.png")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved USED lakeshore-police -> clearview-app").wait_for()
    page.locator("#article mark.used").first.wait_for()  # the saved quotes are highlighted at once
    assert "used Clearview AI during a two-week trial in January" in page.locator("#article").inner_text()
    preview = page.locator("table.preview")
    assert preview.get_by_text("lakeshore-police--USED--clearview-app").count() == 1
    assert "nothing was written" in page.locator("#result-preview").inner_text()  # the dry run's summary
    shoot(page, tmp_path, "desk-saved.png")

    # the YAML gained both, its comments kept; the seed validates with the texts
    after = project.scaffold.read_text()
    head, tail = scaffold_before.split("nodes: []\nrelations: []\n")
    assert after.startswith(head) and after.endswith(tail)
    assert ('  - id: lakeshore-police\n    label: PoliceAgency\n    name: "Lakeshore Regional Police '
            'Service"\n    aliases: ["Lakeshore police"]\n    quote: "The Lakeshore Regional Police Service used '
            'Clearview AI"\n') in after
    assert ('    start: {value: "2030-01", as_written: "in January", note: "the January before the article of '
            '2030-03-02"}\n    quote: "used Clearview AI during a two-week trial in January"\n'
            '    confidence: medium\n') in after
    checked = run_kg("validate", "--strict", "--texts", str(project.texts), cwd=project.root)
    assert checked.returncode == 0, checked.stderr
    assert _answer(served, page) == before  # saved, not loaded

    page.get_by_role("button", name="Load").click()
    page.get_by_text("Loaded: loaded 1 files").wait_for()
    assert _answer(served, page) == sorted([*before, "Lakeshore Regional Police Service"])
    shoot(page, tmp_path, "desk-loaded.png")

    # a quote off by a word: the form says where the closest passage is, and nothing is written
    written = project.seed_files()
    page.locator("#quote").fill("used Clearview AI during a three-week trial")
    page.get_by_text("Not in the text; closest passage").wait_for()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("nothing was written: 'used Clearview AI during a three-week trial' does not occur").wait_for()
    shoot(page, tmp_path, "desk-refused.png")
    assert project.seed_files() == written
    page.reload()
    assert page.locator("mark.used").count() >= 2  # the new quotes are highlighted now
    refused = "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    assert [e for e in errors if e != refused] == [] and errors.count(refused) == 1  # the refused save's answer
    page.close()
