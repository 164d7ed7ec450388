"""Curation: article texts pinned and every quote verified by kg itself, `kg quote find`,
`kg source add`, partial loads against the database, full loads that remove what is gone, and
`kg load --dry-run`.

The article used to add a source is a short text written for these tests (fiction), never a
real article."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path

import pytest

from kg.errors import KgError, UsageError, ValidationFailed
from kg.graph.db import Database
from kg.graph.records import canonical
from kg.seed.curate import add_source, extract, find_words
from kg.seed.loader import labels_of, load
from kg.seed.texts import Texts
from kg.seed.validate import validate
from tests.conftest import ROOT, ServerHandle, run_kg

SEED = ROOT / "seed"
TEXTS = ROOT.parent / "shared" / "sources"
BASE = ROOT / "tests" / "bad_seeds" / "_base" / "actors.yaml"
CTV_FILE = "ctv-edmonton-2020-02-28.yaml"

ARTICLE = """\
Lakeshore police quietly tried facial recognition app, records show

By Test Writer, Kg Test Gazette. March 2, 2030

LAKESHORE -- The Lakeshore Regional Police Service used Clearview AI during a two-week trial in January, \
according to records released to the Kg Test Gazette.

"We looked at it for two weeks and decided it was not for us," said Insp. Dana Whitfield, who oversees \
the service's technology unit.

Edmonton police and Hamilton police have also acknowledged trying the app.
"""

FACTS = """\
nodes:
  - id: lakeshore-police
    label: PoliceAgency
    name: Lakeshore Regional Police Service
    aliases: [Lakeshore police]
    level: regional
    quote: "The Lakeshore Regional Police Service used Clearview AI"
    confidence: high
  - id: st-whitfield-not-for-us
    label: Statement
    name: Lakeshore police say the app was not for them
    stance: explanation
    quote: "We looked at it for two weeks and decided it was not for us"
    confidence: high
    links:
      - {type: ON_BEHALF_OF, to: lakeshore-police}
relations:
  - type: USED
    from: lakeshore-police
    to: clearview-app
    mode: trial
    start: "2030-01"
    quote: "used Clearview AI during a two-week trial in January"
    confidence: high
"""


def _project(tmp_path: Path) -> Path:
    """A checkout-like folder holding a copy of the seed and the questions (kg finds its root by pyproject.toml)."""
    project = tmp_path / "project"
    shutil.copytree(SEED, project / "seed")
    shutil.copytree(ROOT / "cypher", project / "cypher")
    (project / "pyproject.toml").write_text("")
    return project


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


# --- quotes and pins ---------------------------------------------------------------------------------

def test_one_changed_word_in_a_quote_fails_at_that_quotes_line(tmp_path: Path) -> None:
    seed_dir = tmp_path / "seed"
    shutil.copytree(SEED, seed_dir)
    ctv = seed_dir / "sources" / CTV_FILE
    text = ctv.read_text()
    original = '"used it during an auto theft investigation the following month ... directed not to use'
    assert original in text
    ctv.write_text(text.replace(original, original.replace("auto theft", "auto fraud")))
    with pytest.raises(ValidationFailed) as caught:
        validate([seed_dir], texts=TEXTS)
    line = _line_of(ctv, "auto fraud investigation")
    assert len(caught.value.problems) == 1
    problem = caught.value.problems[0]
    assert problem.startswith(f"{ctv}:{line}: quote not found in edmonton-police-clearview.txt; closest passage: "
                              '"used it during an auto theft investigation the following month" (similarity 0.9')


def test_a_changed_text_fails_its_pin_naming_both_hashes(tmp_path: Path) -> None:
    texts = tmp_path / "texts"
    shutil.copytree(TEXTS, texts)
    article = texts / "edmonton-police-clearview.txt"
    article.write_text(article.read_text().replace("Edmonton police officers", "Edmonton officers"))
    with pytest.raises(ValidationFailed) as caught:
        validate([SEED], texts=texts)
    ctv = SEED / "sources" / CTV_FILE
    [problem] = caught.value.problems
    assert problem.startswith(f"{ctv}:{_line_of(ctv, '  text:')}: text edmonton-police-clearview.txt has changed: "
                              "its sha256 is ")
    assert "fef49bd506c04cf6937b6c3960ead7814d5eba626ee39273563703858f4ea435" in problem


def test_a_quote_with_a_gap_matches_its_pieces_in_order() -> None:
    texts = Texts(TEXTS)
    article = texts.article("edmonton-police-clearview.txt")
    assert article.find("Three special unit investigators ... used it during an auto theft investigation")
    assert article.find("used it during an auto theft investigation … Three special unit investigators") is None
    # a quote begins and ends on word boundaries: "in Decem" is not the article's "in December"
    assert article.find("signed up for Clearview AI in December")
    assert article.find("signed up for Clearview AI in Decem") is None
    assert article.find("igned up for Clearview AI in December") is None
    # typographic quotes, dashes and white space are normalised on both sides
    assert article.find("“One actual real‑world situation.  The other one”")


def test_without_a_texts_folder_validation_says_once_what_was_not_checked() -> None:
    env = {k: v for k, v in os.environ.items() if k != "KG_TEXTS"}
    proc = run_kg("validate", env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("not checked") == 1
    assert "note: 150 quotes not checked against an article text: no texts folder" in proc.stderr
    strict = run_kg("validate", "--strict", env=env)
    assert strict.returncode == 1
    assert "150 quotes not checked" in strict.stderr and "Traceback" not in strict.stderr
    good = run_kg("validate", "--texts", str(TEXTS), env=env)
    assert good.returncode == 0
    assert "150 quotes found in their texts" in good.stderr and "note:" not in good.stderr
    via_env = run_kg("validate", "--strict", env={**env, "KG_TEXTS": str(TEXTS)})
    assert via_env.returncode == 0, via_env.stderr
    missing = run_kg("validate", "--texts", str(ROOT / "no-such-folder"), env=env)
    assert missing.returncode == 2
    assert "texts folder" in missing.stderr and "does not exist" in missing.stderr


def test_quote_find_prints_where_words_occur_with_a_line_of_context() -> None:
    rows = find_words(Texts(TEXTS), "auto   theft", SEED)
    assert rows == [{"source": "src-ctv-edmonton-2020-02-28", "file": "edmonton-police-clearview.txt", "line": 3,
                     "context": rows[0]["context"]}]
    assert rows[0]["context"].startswith("Three special unit investigators signed up for Clearview AI")
    several = find_words(Texts(TEXTS), "Bergen said", SEED, source="src-cbc-hamilton-2020-02")
    assert [r["line"] for r in several] == sorted(r["line"] for r in several) and len(several) >= 3
    with pytest.raises(KgError, match=r"closest passage: \"auto theft investigation\" "
                                      r"\(edmonton-police-clearview.txt:3, similarity 0\.9"):
        find_words(Texts(TEXTS), "auto thief investigation", SEED)
    proc = run_kg("quote", "find", "cease and desist", "--texts", str(TEXTS), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert [(r["source"], r["line"]) for r in json.loads(proc.stdout)] == [("src-cbc-hamilton-2020-02", 37)]
    not_found = run_kg("quote", "find", "zebra crossing", "--texts", str(TEXTS))
    assert not_found.returncode == 1 and "does not occur" in not_found.stderr


# --- kg source add ------------------------------------------------------------------------------------

def test_source_add_writes_the_text_outside_the_repo_and_a_scaffold_that_validates(tmp_path: Path) -> None:
    project, texts = _project(tmp_path), tmp_path / "texts"
    article = tmp_path / "lakeshore.txt"
    article.write_text(ARTICLE)
    proc = run_kg("source", "add", str(article), "--texts", str(texts), "--publisher", "ctv-news",
                  "--published", "2030-03-02", cwd=project)
    for text in TEXTS.iterdir():  # the folder did not exist: kg made it; now the seed's own texts beside
        shutil.copy(text, texts / text.name)
    assert proc.returncode == 0, proc.stderr
    scaffold = project / "seed" / "sources" / "src-ctv-news-2030-03-02.yaml"
    assert proc.stdout.strip() == str(scaffold.resolve()) or Path(proc.stdout.strip()).resolve() == scaffold
    assert (texts / "src-ctv-news-2030-03-02.txt").read_text() == ARTICLE
    written = scaffold.read_text()
    assert written.startswith("# yaml-language-server: $schema=../../docs/seed.schema.json\n")  # for editors
    assert "published:\n    value: '2030-03-02'\n  text:" in written and "NOT KNOWN" not in written
    assert re.search(r"text:\n    file: src-ctv-news-2030-03-02.txt\n    sha256: [0-9a-f]{64}\n    length: \d+",
                     written)
    assert re.search(r"#   eps +1x  line 9: Edmonton Police Service", written)
    assert re.search(r"#   line +5  Lakeshore Regional Police Service +organisation\?", written)
    assert re.search(r"#   line +7  Dana Whitfield +person\?", written)
    seed = validate([project / "seed"], texts=texts, strict=True)
    assert "src-ctv-news-2030-03-02" in seed.sources
    again = run_kg("source", "add", str(article), "--texts", str(texts), "--publisher", "ctv-news",
                   "--published", "2030-03-02", cwd=project)
    assert again.returncode == 2 and "taken" in again.stderr  # never overwrites
    inside = run_kg("source", "add", str(article), "--texts", str(project / "docs"), "--publisher", "ctv-news",
                    "--id", "src-other", cwd=project)
    assert inside.returncode == 2 and "inside the repository" in inside.stderr
    assert not (project / "docs").exists() or not any((project / "docs").iterdir())


def test_what_a_text_does_not_say_stays_unknown_and_the_validator_refuses_it(tmp_path: Path) -> None:
    """A plain text has no metadata: its publisher and its date are not guessed (the first date in a
    text may be one of the events it reports); the scaffold is written, says what is not known, and
    kg validate refuses it at those lines until a person writes them."""
    project, texts = _project(tmp_path), tmp_path / "texts"
    article = tmp_path / "lakeshore.txt"
    article.write_text(ARTICLE)
    proc = run_kg("source", "add", str(article), "--texts", str(texts), cwd=project)
    assert proc.returncode == 0, proc.stderr
    sid = "src-unknown-lakeshore-police-quietly-tried-facial-recognition"
    scaffold = project / "seed" / "sources" / f"{sid}.yaml"
    assert Path(proc.stdout.strip()).resolve() == scaffold.resolve()
    assert "publisher: the article does not name its publisher" in proc.stderr
    assert "its text has 'March 2, 2030' at line 3, which may be a date of the events" in proc.stderr
    written = scaffold.read_text()
    assert "  publisher: null  # NOT KNOWN" in written and "  published: null  # NOT KNOWN" in written
    assert "2030-03-02" not in written  # the text's date is offered, never written as the date
    for text in TEXTS.iterdir():
        shutil.copy(text, texts / text.name)
    refused = run_kg("validate", "--texts", str(texts), cwd=project)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert f"{scaffold.name}:{_line_of(scaffold, 'publisher: null')}: source.publisher: not known yet" in refused.stderr
    assert f"{scaffold.name}:{_line_of(scaffold, 'published: null')}: source.published: not known yet" in refused.stderr
    scaffold.write_text(written.replace("publisher: null", "publisher: ctv-news")
                        .replace("published: null", "published: '2030-03-02'"))
    assert sid in validate([project / "seed"], texts=texts, strict=True).sources  # once a person wrote them


def test_a_page_of_a_new_outlet_scaffolds_it_as_an_organization(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    body = "".join(f"<p>{p}</p>" for p in ARTICLE.split("\n\n")[2:])
    page.write_text(f"""<!doctype html><html><head><title>Lakeshore police tried app | Kg Test Gazette</title>
<meta property="og:title" content="Lakeshore police quietly tried facial recognition app">
<meta property="og:site_name" content="Kg Test Gazette">
<meta property="article:published_time" content="2020-03-05T09:00:00Z">
</head><body><article><h1>Lakeshore police quietly tried facial recognition app</h1>
{body}</article></body></html>""")
    project, texts = _project(tmp_path), tmp_path / "texts"
    proc = run_kg("source", "add", str(page), "--texts", str(texts), cwd=project)
    assert proc.returncode == 0, proc.stderr
    outlet = project / "seed" / "actors" / "kg-test-gazette.yaml"
    assert "a new Organization of the registry" in proc.stderr and "not known" not in proc.stderr
    assert "- id: kg-test-gazette\n    label: Organization\n    name: Kg Test Gazette\n    kind: news_outlet" \
        in outlet.read_text()
    scaffold = project / "seed" / "sources" / "src-kg-test-gazette-2020-03-05.yaml"
    assert "publisher: kg-test-gazette" in scaffold.read_text()
    for text in TEXTS.iterdir():
        shutil.copy(text, texts / text.name)
    seed = validate([project / "seed"], texts=texts, strict=True)
    assert seed.sources["src-kg-test-gazette-2020-03-05"] and seed.nodes["kg-test-gazette"].in_registry
    as_json = run_kg("source", "add", str(page), "--texts", str(texts), "--id", "src-as-json", "--format", "json",
                     cwd=project)
    assert as_json.returncode == 0, as_json.stderr
    told = json.loads(as_json.stdout)
    assert (told["source"], told["new_actors_file"], told["unknown"]) == ("src-as-json", None, [])
    assert Path(told["file"]).resolve() == (project / "seed" / "sources" / "src-as-json.yaml").resolve()
    eps = next(a for a in told["actors"] if a["id"] == "eps")
    assert (eps["name"], eps["label"], eps["count"]) == ("Edmonton Police Service", "PoliceAgency", 1)
    dana = next(c for c in told["candidates"] if c["name"] == "Dana Whitfield")
    assert dana["kind"] == "person" and dana["line"] >= 1
    assert all(set(c) == {"name", "kind", "line"} and c["kind"] in ("person", "organisation", "place")
               for c in told["candidates"])  # each says what it probably is
    other = run_kg("source", "add", str(page), "--texts", str(texts), "--publisher", "cbc-news", cwd=project)
    assert other.returncode == 0 and "src-cbc-news-2020-03-05" in other.stdout  # --publisher overrides
    assert sorted(p.name for p in (project / "seed" / "actors").iterdir()) == ["actors.yaml", "kg-test-gazette.yaml"]


def test_source_add_reads_a_saved_html_page(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    body = "".join(f"<p>{p}</p>" for p in ARTICLE.split("\n\n")[2:])
    page.write_text(f"""<!doctype html><html><head><title>Lakeshore police tried app | CBC News</title>
<meta property="og:title" content="Lakeshore police quietly tried facial recognition app">
<meta property="og:site_name" content="CBC News">
<meta name="author" content="Test Writer">
<meta property="article:published_time" content="2020-03-02T09:00:00Z">
</head><body><nav>Home | Sections</nav><article><h1>Lakeshore police quietly tried facial recognition app</h1>
{body}</article><footer>Copyright footer text</footer></body></html>""")
    got = extract(page)
    assert got.title == "Lakeshore police quietly tried facial recognition app"
    assert got.date == "2020-03-02" and got.publisher == "CBC News" and got.authors == ["Test Writer"]
    assert "decided it was not for us" in got.text and "Copyright footer" not in got.text
    project = _project(tmp_path)
    added = add_source(page, project / "seed", tmp_path / "texts", project)
    assert added.source_id == "src-cbc-news-2020-03-02"  # the publisher matched an actor by its name


def test_a_missing_html_extractor_is_one_line_and_exit_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As when the pip that Python 3.11 ships left lxml_html_clean out: no traceback, nothing written."""
    page = tmp_path / "page.html"
    page.write_text("<html><body><p>Lakeshore police tried the app.</p></body></html>")
    monkeypatch.setitem(sys.modules, "trafilatura", None)  # `import trafilatura` raises ImportError
    project = _project(tmp_path)
    before = sorted((project / "seed").rglob("*"))
    proc = run_kg("source", "add", str(page), "--texts", str(tmp_path / "texts"), "--publisher", "cbc-news",
                  cwd=project)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("kg: cannot read saved HTML pages: a library kg needs is missing")
    assert len(proc.stderr.strip().splitlines()) == 1
    assert sorted((project / "seed").rglob("*")) == before and not (tmp_path / "texts").exists()


def _pdf(text: str, title: str, author: str, created: str) -> bytes:
    """A one-page PDF with `text` in Helvetica and an Info dictionary, written by hand."""
    lines = " ".join(f"({ln}) Tj T*" for ln in text.replace("(", "").replace(")", "").splitlines())
    stream = f"BT /F1 10 Tf 14 TL 40 800 Td {lines} ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Title ({title}) /Author ({author}) /CreationDate (D:{created}) >>".encode("latin-1"),
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 6 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def test_source_add_reads_a_pdf(tmp_path: Path) -> None:
    pdf = tmp_path / "article.pdf"
    pdf.write_bytes(_pdf("The Lakeshore Regional Police Service used Clearview AI\nduring a two-week trial.",
                         "Lakeshore report", "Test Writer", "20300302090000Z"))
    got = extract(pdf)
    assert "Lakeshore Regional Police Service used Clearview AI" in got.text
    assert (got.title, got.authors, got.date) == ("Lakeshore report", ["Test Writer"], "2030-03-02")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 not really")
    with pytest.raises(KgError, match=r"broken\.pdf"):
        extract(broken)
    with pytest.raises(UsageError, match=r"takes a \.txt"):
        extract(tmp_path / "x.docx")


# --- loading some files, the whole seed, and previews --------------------------------------------------

def _answer(env: dict[str, str], cwd: Path) -> list[str]:
    proc = run_kg("query", "run", "agencies-using-tool", "--format", "json", env=env, cwd=cwd)
    assert proc.returncode == 0, proc.stderr
    return sorted({row["agency"] for row in json.loads(proc.stdout)})


@pytest.mark.db
def test_add_an_article_preview_load_it_alone_then_take_it_back(server: ServerHandle, db: Database,
                                                                 tmp_path: Path) -> None:
    project, texts = _project(tmp_path), tmp_path / "texts"
    env = server.env(KG_TEXTS=str(texts))
    texts.mkdir()
    for text in TEXTS.iterdir():
        shutil.copy(text, texts / text.name)
    loaded = run_kg("load", "--strict", env=env, cwd=project)
    assert loaded.returncode == 0, loaded.stderr
    before_answer = _answer(env, project)
    assert "Lakeshore Regional Police Service" not in before_answer

    article = tmp_path / "lakeshore.txt"
    article.write_text(ARTICLE)
    added = run_kg("source", "add", str(article), "--publisher", "ctv-news", "--published", "2030-03-02",
                   "--id", "src-test-lakeshore", env=env, cwd=project)
    assert added.returncode == 0, added.stderr
    scaffold = project / "seed" / "sources" / "src-test-lakeshore.yaml"
    empty = scaffold.read_text()
    scaffold.write_text(empty.replace("nodes: []\nrelations: []\n", FACTS))

    export_before = canonical(db)
    preview = run_kg("load", "--dry-run", "--format", "json", str(scaffold), env=env, cwd=project)
    assert preview.returncode == 0, preview.stderr
    changes = {(c["change"], c["label"], c["id"]) for c in json.loads(preview.stdout)}
    assert changes == {
        ("created", "Source", "src-test-lakeshore"),
        ("created", "PoliceAgency", "lakeshore-police"),
        ("created", "Statement", "st-whitfield-not-for-us"),
        ("created", "USED", "lakeshore-police--USED--clearview-app"),
        ("created", "ON_BEHALF_OF", "st-whitfield-not-for-us--ON_BEHALF_OF--lakeshore-police"),
    }
    assert {c["source"] for c in json.loads(preview.stdout)} == {"src-test-lakeshore"}
    assert "nothing was written" in preview.stderr
    assert canonical(db) == export_before  # the preview wrote nothing

    one = run_kg("load", str(scaffold), env=env, cwd=project)  # one file alone: its actors are in the database
    assert one.returncode == 0, one.stderr
    assert _answer(env, project) == sorted([*before_answer, "Lakeshore Regional Police Service"])
    assert {line for line in export_before if '"src-test-lakeshore"' not in line} <= set(canonical(db))

    scaffold.write_text(empty)  # take the facts back out and load the file again
    again = run_kg("load", str(scaffold), env=env, cwd=project)
    assert again.returncode == 0, again.stderr
    assert _answer(env, project) == before_answer
    assert labels_of(db, ["lakeshore-police", "st-whitfield-not-for-us"]) == {}


@pytest.mark.db
def test_a_partial_load_keeps_what_other_sources_declared_and_changes_nothing_else(db: Database,
                                                                                   tmp_path: Path) -> None:
    def source(sid: str, extra: str) -> str:
        return f"""source: {{id: {sid}, title: {sid}, publisher: ctv-news, published: "2020-02"}}
nodes:
  - id: st-shared
    label: Statement
    name: EPS says it used the app
    {extra}
    quote: "EPS used the app"
    confidence: high
    links:
      - {{type: MADE, from: eps}}
relations:
  - {{type: USED, from: eps, to: clearview-app, quote: "{sid} says so", confidence: medium}}
"""
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(source("src-a", "stance: admission"))
    b.write_text(source("src-b", "medium: told media"))
    load(db, validate([BASE, a, b]))
    rows = db.read("MATCH (n {id: 'st-shared'}) RETURN n.stance AS stance, n.medium AS medium, n.sources AS s")
    assert rows == [{"stance": "admission", "medium": "told media", "s": ["src-a", "src-b"]}]
    before = canonical(db)

    a.write_text(source("src-a", "stance: defence"))
    seed = validate([a], resolve=lambda ids: labels_of(db, ids))
    assert seed.external == {"eps": "PoliceAgency", "clearview-app": "Product", "ctv-news": "Organization"}
    load(db, seed)
    rows = db.read("MATCH (n {id: 'st-shared'}) RETURN n.stance AS stance, n.medium AS medium, n.sources AS s")
    assert rows == [{"stance": "defence", "medium": "told media", "s": ["src-a", "src-b"]}]
    changed = set(canonical(db)) ^ set(before)
    assert all('"st-shared"' in line or '"src-a"' in line for line in changed), changed

    bad = tmp_path / "bad.yaml"
    bad.write_text(source("src-c", "stance: denial").replace("from: eps}", "from: nobody-anywhere}"))
    with pytest.raises(ValidationFailed) as caught:
        validate([bad], resolve=lambda ids: labels_of(db, ids))
    assert caught.value.problems == [f"{bad}:10: unknown id 'nobody-anywhere': no actor, fact or source has it "
                                     "in these files or in the database"]


@pytest.mark.db
def test_a_full_load_removes_actors_and_sources_no_file_declares(server: ServerHandle, db: Database,
                                                                   tmp_path: Path) -> None:
    project = _project(tmp_path)
    env = server.env()
    registry = project / "seed" / "actors" / "actors.yaml"
    text = registry.read_text()
    registry.write_text(text + "\n  - {id: test-only-agency, label: PoliceAgency, name: Test-only Police}\n")
    assert run_kg("load", env=env, cwd=project).returncode == 0
    assert labels_of(db, ["test-only-agency"]) == {"test-only-agency": "PoliceAgency"}
    registry.write_text(text)
    (project / "seed" / "sources" / CTV_FILE).unlink()
    proc = run_kg("load", env=env, cwd=project)
    assert proc.returncode == 0, proc.stderr
    assert "no seed file declares any more" in proc.stderr
    gone = ["test-only-agency", "src-ctv-edmonton-2020-02-28", "st-driechel-two-uses"]
    assert labels_of(db, gone) == {}
    assert db.read("MATCH (n {id: 'toronto-police'})-[r:USED]->() RETURN r.sources AS s") == [
        {"s": ["src-cbc-hamilton-2020-02"]}]
    # the result is what a load of the edited seed into an empty database gives
    after = canonical(db)
    db.run_auto("MATCH (n) DETACH DELETE n")
    assert run_kg("load", env=env, cwd=project).returncode == 0
    assert canonical(db) == after


# --- kg fact add ---------------------------------------------------------------------------------------

def _scaffolded(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A project with the test article added as src-test-lakeshore: (project, texts, its seed file)."""
    project, texts = _project(tmp_path), tmp_path / "texts"
    texts.mkdir()
    for text in TEXTS.iterdir():
        shutil.copy(text, texts / text.name)
    article = tmp_path / "lakeshore.txt"
    article.write_text(ARTICLE)
    added = run_kg("source", "add", str(article), "--texts", str(texts), "--publisher", "ctv-news",
                   "--published", "2030-03-02", "--id", "src-test-lakeshore", cwd=project)
    assert added.returncode == 0, added.stderr
    return project, texts, project / "seed" / "sources" / "src-test-lakeshore.yaml"


def test_fact_add_writes_a_statement_and_a_relation_keeping_the_files_comments(tmp_path: Path) -> None:
    project, texts, scaffold = _scaffolded(tmp_path)
    before = scaffold.read_text()
    statement = run_kg("fact", "add", "src-test-lakeshore", "--label", "Statement", "--name",
                       "Lakeshore police say: the app was not for them", "--quote", "decided it was not for us",
                       "--date", "2030-03-02", "--link", "ON_BEHALF_OF:to=eps", "--texts", str(texts), cwd=project)
    assert statement.returncode == 0, statement.stderr
    assert "added st-lakeshore-police-say-the-app" in statement.stderr and "line 7 of the text" in statement.stderr
    relation = run_kg("fact", "add", "src-test-lakeshore", "--rel", "USED", "--from", "hamilton-police", "--to",
                      "clearview-app", "--quote", "used Clearview AI during a two-week trial in January",
                      "--date", "2030-01", "--confidence", "medium", "--texts", str(texts), cwd=project)
    assert relation.returncode == 0, relation.stderr
    after = scaffold.read_text()
    # every line of the scaffold is still there, comments included; only the two lists grew
    head, tail = before.split("nodes: []\nrelations: []\n")
    assert after.startswith(head) and after.endswith(tail)
    assert after[len(head):len(after) - len(tail)] == """\
nodes:
  - id: st-lakeshore-police-say-the-app
    label: Statement
    name: "Lakeshore police say: the app was not for them"
    date: "2030-03-02"
    quote: "decided it was not for us"
    confidence: high
    links:
      - type: ON_BEHALF_OF
        to: eps
relations:
  - type: USED
    from: hamilton-police
    to: clearview-app
    start: "2030-01"
    quote: "used Clearview AI during a two-week trial in January"
    confidence: medium
"""
    seed = validate([project / "seed"], texts=texts, strict=True)
    assert seed.nodes["st-lakeshore-police-say-the-app"].props["date"] == "2030-03-02"


@pytest.mark.parametrize(("args", "says"), [
    (["--rel", "USED", "--from", "eps", "--to", "clearview-app", "--quote", "used Clearview AI for a year"],
     "kg: 'used Clearview AI for a year' does not occur in src-test-lakeshore; closest passage: "),
    (["--rel", "USED", "--from", "nobody", "--to", "clearview-app", "--quote", "two-week trial"],
     "unknown id 'nobody'"),
    (["--rel", "USED", "--from", "eps", "--to", "clearview-app", "--quote", "two-week trial", "--date", "2030-13"],
     "kg: --date '2030-13': "),
    (["--label", "Gossip", "--name", "x", "--quote", "two-week trial"], "kg: --label 'Gossip' is not a kind of fact"),
    (["--rel", "LIKED", "--from", "eps", "--to", "clearview-app", "--quote", "two-week trial"],
     "kg: --rel 'LIKED' is not a relationship type"),
])
def test_fact_add_refuses_with_its_reason_and_leaves_the_file_alone(tmp_path: Path, args: list[str],
                                                                    says: str) -> None:
    project, texts, scaffold = _scaffolded(tmp_path)
    before = sorted((p, p.read_bytes()) for p in (project / "seed").rglob("*.yaml"))
    proc = run_kg("fact", "add", "src-test-lakeshore", *args, "--texts", str(texts), cwd=project)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert says in proc.stderr
    if "unknown id" in says:  # the seed file and the line of the refused value, as kg validate names them
        assert f"{scaffold}:" in proc.stderr and "nothing was written" in proc.stderr
    assert sorted((p, p.read_bytes()) for p in (project / "seed").rglob("*.yaml")) == before
    assert not list((project / "seed").rglob(".*.kg-fact"))
